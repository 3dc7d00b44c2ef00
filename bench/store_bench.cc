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

// secure_delete off: what the zeroing of freed content that erasure relies on costs the merge.
double MergeRate(const std::string& path, const std::vector<Change>& changes,
                 bool secure_delete = true) {
  auto store = FreshStore(path, {.name = "merge"});
  if (!secure_delete) StoreDatabase(*store).Exec("PRAGMA secure_delete = OFF");
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
  double unzeroed = Median(options.runs, [&] {
    return MergeRate(options.dir + "/merge-unzeroed.db", changes, /*secure_delete=*/false);
  });
  report.Add({"store", "merge", merge, "changes/s",
              "ApplyRemote in 5000-change batches: " +
                  std::to_string(100 * merge / limit).substr(0, 4) + "% of limit"});
  report.Add({"store", "merge without secure_delete", unzeroed, "changes/s",
              "the same with PRAGMA secure_delete = OFF: secure_delete costs " +
                  std::to_string(100 * (1 - merge / unzeroed)).substr(0, 4) + "% of it"});
}

}  // namespace fieldcrm::bench
