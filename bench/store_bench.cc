#include "store_bench.h"

#include "data.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/storage/store_database.h"
#include "tablets.h"

namespace fieldcrm::bench {

double RawSqliteRate(const std::string& path, const std::vector<Change>& changes) {
  auto store = FreshStore(path, {.name = "limit"});
  Database& db = StoreDatabase(*store);
  double start = Now();
  Transaction txn(db);
  Statement& append = db.Prepare(kAppendLogSql);
  Statement& upsert = db.Prepare(kUpsertFieldStateSql);
  for (const Change& c : changes) {
    append.Bind(c.device, c.seq, c.hlc, c.base, c.kind, c.record, c.field, c.value).Run();
    upsert.Bind(c.record, c.field, c.value, c.hlc, c.device, c.base).Run();
  }
  txn.Commit();
  return static_cast<double>(changes.size()) / (Now() - start);
}

namespace {}  // namespace

double MergeRate(const std::string& path, const std::vector<Change>& changes) {
  auto store = FreshStore(path, {.name = "merge"});
  constexpr size_t kBatch = 5000;  // a pull page
  double start = Now();
  for (size_t at = 0; at < changes.size(); at += kBatch) {
    store->ApplyRemote(std::span(changes).subspan(at, std::min(kBatch, changes.size() - at)));
  }
  return static_cast<double>(changes.size()) / (Now() - start);
}

void RunStoreBenchmark(const Options& options, Report& report) {
  std::vector<Change> changes =
      MakeCustomerChanges("bench-tablet", options.Scaled(1'000'000, 100), 7);
  double limit =
      Median(options.runs, [&] { return RawSqliteRate(options.dir + "/limit.db", changes); });
  double merge =
      Median(options.runs, [&] { return MergeRate(options.dir + "/merge.db", changes); });
  report.Add({"store", "limit", limit, "changes/s", "raw SQLite: log append + state upsert"});
  report.Add({"store", "merge", merge, "changes/s",
              "ApplyRemote in 5000-change batches: " +
                  std::to_string(100 * merge / limit).substr(0, 4) + "% of limit"});
}

}  // namespace fieldcrm::bench
