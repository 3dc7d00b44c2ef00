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

double MergeRate(const std::string& path, const std::vector<Change>& changes, bool secure_delete) {
  auto store = FreshStore(path, {.name = "merge"});
  // Every store zeroes what it deletes or overwrites (erasure, docs/privacy.md); off, this
  // measures what that costs the merge.
  if (!secure_delete) StoreDatabase(*store).Exec("PRAGMA secure_delete = OFF");
  constexpr size_t kBatch = 5000;  // a pull page
  double start = Now();
  for (size_t at = 0; at < changes.size(); at += kBatch) {
    store->ApplyRemote(std::span(changes).subspan(at, std::min(kBatch, changes.size() - at)));
  }
  return static_cast<double>(changes.size()) / (Now() - start);
}

// Erasing `count` customers of a replica holding `changes` (Store::Erase each in its own
// transaction, then one PurgeErasedBytes), with secure_delete on (every store) or off: ms per
// erasure, the purge included.
double ErasureMs(const std::string& path, const std::vector<Change>& changes, size_t count,
                 bool secure_delete) {
  auto store = FreshStore(path, {.name = "erase"});
  if (!secure_delete) StoreDatabase(*store).Exec("PRAGMA secure_delete = OFF");
  ApplyInBatches(*store, changes);
  std::vector<std::string> customers;
  for (const Change& c : changes) {
    if (customers.size() == count) break;
    if (c.kind == "customer" && (customers.empty() || customers.back() != c.record)) {
      customers.push_back(c.record);
    }
  }
  double start = Now();
  for (const std::string& customer : customers) store->Erase(customer);
  store->PurgeErasedBytes();
  return (Now() - start) * 1000 / static_cast<double>(customers.size());
}

void RunStoreBenchmark(const Options& options, Report& report) {
  std::vector<Change> changes =
      MakeCustomerChanges("bench-tablet", options.Scaled(1'000'000, 100), 7);
  double limit =
      Median(options.runs, [&] { return RawSqliteRate(options.dir + "/limit.db", changes); });
  double merge =
      Median(options.runs, [&] { return MergeRate(options.dir + "/merge.db", changes, true); });
  double unzeroed =
      Median(options.runs, [&] { return MergeRate(options.dir + "/merge.db", changes, false); });
  report.Add({"store", "limit", limit, "changes/s", "raw SQLite: log append + state upsert"});
  report.Add({"store", "merge", merge, "changes/s",
              "ApplyRemote in 5000-change batches: " +
                  std::to_string(100 * merge / limit).substr(0, 4) + "% of limit"});
  report.Add({"store", "merge without secure_delete", unzeroed, "changes/s",
              "the same with PRAGMA secure_delete = OFF (every store runs with it on)"});
  constexpr size_t kErased = 100;
  for (bool zeroing : {true, false}) {
    double ms = Median(options.runs, [&] {
      return ErasureMs(options.dir + "/erase.db", changes, kErased, zeroing);
    });
    report.Add({"store", zeroing ? "erase a customer" : "erase without secure_delete", ms, "ms",
                std::to_string(kErased) + " customers erased one by one from the merged replica, " +
                    "then the WAL purged" + (zeroing ? "" : "; secure_delete OFF")});
  }
}

}  // namespace fieldcrm::bench
