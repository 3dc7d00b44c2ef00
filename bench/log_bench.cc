#include "log_bench.h"

#include "data.h"
#include "fieldcrm/storage/compaction.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/storage/uuid.h"
#include "tablets.h"

namespace fieldcrm::bench {

namespace {

constexpr int kEditRounds = 10;
constexpr int64_t kChunk = 10'000;  // customers generated and applied at a time

double Megabytes(int64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

}  // namespace

void RunLogGrowthBenchmark(const Options& options, Report& report) {
  int64_t customers = options.Scaled(100'000, 10);
  auto store = FreshStore(options.dir + "/log-growth.db", {.name = "log-growth", .team = "team-0"});
  // The writes arrive as from the team's other tablets, through the server: all acknowledged.
  const std::string writer = "team-tablet";
  CustomerFaker faker(53, "team-0");
  std::vector<std::string> ids;
  Hlc hlc = HlcFromMillis(1'764'000'000'000);
  int64_t seq = 0;
  for (int64_t i = 0; i < customers; ++i) ids.push_back(NewUuidV7(HlcMillis(hlc) + i, i & 0xFFF));
  for (int round = 0; round <= kEditRounds; ++round) {
    for (int64_t start = 0; start < customers; start += kChunk) {
      std::vector<Change> changes;
      for (int64_t i = start; i < std::min(customers, start + kChunk); ++i) {
        for (auto& [field, value] : faker.Fields(i)) {
          changes.push_back(
              {writer, ++seq, ++hlc, round ? hlc - 1 : 0, "customer", ids[i], field, value});
        }
      }
      ApplyInBatches(*store, changes);
    }
  }
  StorageSizes before = MeasureStorage(StoreDatabase(*store));
  double start = Now();
  CompactionStats stats = CompactLog(StoreDatabase(*store), store->device().id, 0);
  StoreDatabase(*store).Exec("VACUUM");
  double seconds = Now() - start;
  StorageSizes after = MeasureStorage(StoreDatabase(*store));
  std::string what = std::to_string(customers) + " customers x 10 fields, each written " +
                     std::to_string(kEditRounds + 1) + " times (" + std::to_string(seq) +
                     " log entries)";
  report.Add({"log", "state size", Megabytes(after.state_bytes), "MB",
              "field_state + records with indexes"});
  report.Add({"log", "log size", Megabytes(before.log_bytes), "MB", what});
  report.Add({"log", "log / state", static_cast<double>(before.log_bytes) / before.state_bytes, "x",
              "before compaction"});
  report.Add({"log", "log after compaction", Megabytes(after.log_bytes), "MB",
              std::to_string(stats.removed) + " superseded entries removed, " +
                  std::to_string(stats.kept) + " kept"});
  report.Add({"log", "log / state after", static_cast<double>(after.log_bytes) / after.state_bytes,
              "x", "target <= 2x"});
  report.Add({"log", "compaction time", seconds, "s", "CompactLog + VACUUM"});
}

}  // namespace fieldcrm::bench
