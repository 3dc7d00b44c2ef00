#include "bootstrap_bench.h"

#include <algorithm>

#include "bench_server.h"
#include "data.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "process.h"
#include "tablets.h"

namespace fieldcrm::bench {

namespace {

constexpr int64_t kFieldsPerCustomer = 10;  // what MakeCustomerChanges writes per customer

// A server whose log holds `entries` changes of team-0's customers, made by field tablets.
std::unique_ptr<BenchServer> ServerWithHistory(const Options& options, const std::string& name,
                                               int64_t entries) {
  auto server = std::make_unique<BenchServer>(options.dir + "/" + name + "-server.db");
  ApplyInBatches(server->storage().store(),
                 MakeCustomerChanges("field-tablet", entries, 23, "team-0"));
  return server;
}

// `fieldcrm init` for a new team-0 tablet at path (removing one left from an earlier run).
void InitTablet(const Options& options, const std::string& path) {
  RunProcess({options.fieldcrm_binary, "--db", RemoveStoreFiles(path), "init", "--device",
              "new-tablet", "--agent", "顾问7", "--team", "team-0"});
}

// `fieldcrm sync` of a new tablet: a snapshot of the team's state, or with `--replay` the whole
// history (as before snapshots, and as a tablet does with a server that has none).
ProcessResult SyncProcess(const Options& options, const std::string& path, BenchServer& server,
                          const std::string& token, bool replay) {
  std::vector<std::string> argv = {
      options.fieldcrm_binary, "--db", path, "sync", "--server", server.url(), "--token", token};
  if (replay) argv.push_back("--replay");
  return RunProcess(argv);
}

// The final state copied into a fresh replica's field_state with one prepared insert in one
// transaction: the least a new tablet could do. Returns seconds.
double BulkInsertSeconds(const Options& options, Store& source) {
  struct Row {
    std::string record, field;
    std::optional<std::string> value;
    int64_t hlc, base;
    std::string device;
  };
  std::vector<Row> rows;
  Statement& read = StoreDatabase(source).Prepare(
      "SELECT record, field, value, hlc, device, base FROM field_state");
  read.Bind();
  while (read.Step()) {
    rows.push_back(
        {read.Text(0), read.Text(1), read.OptText(2), read.Int(3), read.Int(5), read.Text(4)});
  }
  auto copy = FreshStore(options.dir + "/bulk-copy.db", {.name = "bulk-copy"});
  double start = Now();
  Transaction txn(StoreDatabase(*copy));
  Statement& insert = StoreDatabase(*copy).Prepare(
      "INSERT INTO field_state(record, field, value, hlc, device, base) VALUES(?, ?, ?, ?, ?, ?)");
  for (const Row& r : rows) insert.Bind(r.record, r.field, r.value, r.hlc, r.device, r.base).Run();
  txn.Commit();
  return Now() - start;
}

}  // namespace

void RunBootstrapBenchmark(const Options& options, Report& report) {
  int64_t entries = options.Scaled(2'000'000, 100);
  auto server = ServerWithHistory(options, "bootstrap", entries);
  std::string token = server->AgentToken("顾问7", "team-0");
  std::string tablet = options.dir + "/joining-tablet.db";
  std::string history = std::to_string(entries / kFieldsPerCustomer) + " customers, " +
                        std::to_string(entries) + " log entries";
  double bulk =
      Median(options.runs, [&] { return BulkInsertSeconds(options, server->storage().store()); });
  report.Add({"bootstrap", "bulk insert of final state", bulk, "s",
              "the floor: one prepared INSERT per field, one transaction"});
  for (bool replay : {false, true}) {
    std::vector<double> seconds, rss;
    for (int i = 0; i < options.runs; ++i) {
      InitTablet(options, tablet);
      ProcessResult sync = SyncProcess(options, tablet, *server, token, replay);
      seconds.push_back(sync.seconds);
      rss.push_back(sync.peak_rss_mb);
    }
    double bootstrap = MedianOf(seconds);
    std::string how = replay ? "replay" : "snapshot";
    report.Add({"bootstrap", "time to usable store, " + how, bootstrap, "s",
                replay ? "`fieldcrm sync --replay` on a new tablet, " + history
                       : "`fieldcrm sync` on a new tablet, " + history});
    report.Add({"bootstrap", "time / bulk insert, " + how, bootstrap / bulk, "x",
                replay ? "the history replayed, as before snapshots" : "target <= 2x"});
    report.Add({"bootstrap", "peak RSS, " + how, *std::max_element(rss.begin(), rss.end()), "MB",
                "the tablet process, worst of " + std::to_string(options.runs) +
                    " runs (target < 150 MB)"});
  }
}

}  // namespace fieldcrm::bench
