#include "incremental_bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "bench_server.h"
#include "data.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/sync/client.h"
#include "fieldcrm/sync/session_sync.h"
#include "process.h"
#include "tablets.h"

namespace fieldcrm::bench {

namespace {

constexpr int64_t kFieldsPerCustomer = 10;   // what MakeCustomerChanges writes per customer
constexpr int64_t kChunkCustomers = 20'000;  // changes are made and applied this many at a time
constexpr const char* kCompleteKey = "bench.incremental_complete";

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Customers of one device, made and applied `kChunkCustomers` at a time so that memory stays
// bounded at a million customers; seq numbers continue across chunks. Returns the customer ids.
std::vector<std::string> AddCustomers(const std::vector<Store*>& stores, const std::string& device,
                                      int64_t customers, uint32_t seed, int64_t start_ms) {
  std::vector<std::string> ids;
  for (int64_t done = 0, chunk = 0; done < customers; done += kChunkCustomers, ++chunk) {
    int64_t count = std::min(kChunkCustomers, customers - done);
    std::vector<Change> changes =
        MakeCustomerChanges(device, count * kFieldsPerCustomer, seed + static_cast<uint32_t>(chunk),
                            "team-0", "", start_ms + chunk * 60'000);
    for (Change& change : changes) {
      change.seq += done * kFieldsPerCustomer;
      if (change.field == "name") ids.push_back(change.record);
    }
    for (Store* store : stores) ApplyInBatches(*store, changes);
  }
  return ids;
}

// The tablet of agent 顾问7 in team-0 with `customers` customers: a tenth registered on it (its
// own changes, already pushed), the rest received from other tablets, of which `shared` from
// the colleague whose customers the server below also holds. Built once per path: a later run
// with the same --dir reuses it (a million customers take minutes to write) and adds a fresh
// colleague's customers to it and to the new server.
struct Fixture {
  std::unique_ptr<BenchServer> server;
  std::string token;
  std::string tablet;
  std::vector<std::string> shared;  // the colleague's customers, on the tablet and the server
  std::string colleague;            // the colleague's device
  int64_t colleague_seq = 0;        // the colleague's last sequence number
};

Fixture MakeFixture(const Options& options, int64_t customers) {
  Fixture fixture;
  fixture.tablet = options.dir + "/incremental-" + std::to_string(customers) + ".db";
  fixture.server = std::make_unique<BenchServer>(options.dir + "/incremental-server.db");
  fixture.token = fixture.server->AgentToken("顾问7", "team-0");
  int64_t shared = std::min<int64_t>(customers, 1000);
  int64_t own = customers / 10;
  int64_t archive = std::max<int64_t>(0, customers - shared - own);
  bool cached = false;
  if (std::filesystem::exists(fixture.tablet)) {
    cached = OpenCustomerStore(fixture.tablet)->GetMeta(kCompleteKey).has_value();
  }
  std::unique_ptr<Store> tablet;
  if (!cached) {
    tablet =
        FreshStore(fixture.tablet, {.name = "bench-tablet", .agent = "顾问7", .team = "team-0"});
    AddCustomers({tablet.get()}, tablet->device().id, own, 100, 1'763'000'000'000);
    AddCustomers({tablet.get()}, "archive-tablet", archive, 200, 1'762'000'000'000);
  } else {
    tablet = OpenCustomerStore(fixture.tablet);
  }
  Store& server_store = fixture.server->storage().store();
  // A new colleague per run: a reused tablet already holds the earlier ones' sequence numbers.
  fixture.colleague = "colleague-" + std::to_string(WallMillis());
  fixture.shared = AddCustomers({&server_store, tablet.get()}, fixture.colleague, shared, 300,
                                1'764'000'000'000);
  fixture.colleague_seq = shared * kFieldsPerCustomer;
  // As if synced with this server just now: nothing to push, nothing to pull.
  Transaction txn = tablet->Transact();
  tablet->SetMeta(sync::kPushCursorKey, std::to_string(tablet->LogHead()));
  tablet->SetMeta(sync::kPushedSeqKey, std::to_string(tablet->LastOwnSeq()));
  tablet->SetMeta(sync::kPullCursorKey, std::to_string(server_store.LogHead()));
  tablet->SetMeta(sync::kServerIdKey, fixture.server->storage().ServerId());
  tablet->SetMeta(kCompleteKey, "1");
  sync::RememberServer(*tablet, {fixture.server->url(), fixture.token, "", ""});
  tablet->CheckpointClock();
  txn.Commit();
  return fixture;
}

// A process of the tablet's CLI on the fixture's store; returns its result.
ProcessResult Cli(const Options& options, const Fixture& fixture, std::vector<std::string> args) {
  std::vector<std::string> argv = {options.fieldcrm_binary, "--db", fixture.tablet};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv);
}

}  // namespace

void RunIncrementalBenchmark(const Options& options, Report& report) {
  for (int64_t size : {int64_t{10'000}, int64_t{100'000}, int64_t{1'000'000}}) {
    int64_t customers = options.Scaled(size, 20);
    std::string at = " at " + std::to_string(customers) + " customers";
    double build_start = Now();
    Fixture fixture = MakeFixture(options, customers);
    report.Add({"incremental", "fixture" + at, Now() - build_start, "s",
                "writing the tablet store (reused from --dir when present) and the server's"});
    std::mt19937 rng(41);
    CustomerFaker faker(43);
    auto pick = [&] { return fixture.shared[rng() % fixture.shared.size()]; };
    std::vector<double> open, status, set, sync_sent, sync_received;
    for (int run = 0; run < options.runs; ++run) {
      open.push_back(Cli(options, fixture, {"customer", "get", pick(), "--json"}).seconds);
      status.push_back(Cli(options, fixture, {"status"}).seconds);
      auto [field, value] = faker.Edit();
      std::string text = nlohmann::json::parse(value).is_string()
                             ? nlohmann::json::parse(value).get<std::string>()
                             : value;
      set.push_back(Cli(options, fixture, {"customer", "set", pick(), field + "=" + text}).seconds);
      {
        auto store = OpenCustomerStore(fixture.tablet);
        Transaction txn = store->Transact();
        for (int edit = 0; edit < 100; ++edit) {
          auto [edit_field, edit_value] = faker.Edit();
          store->Write("customer", pick(), {{edit_field, nlohmann::json::parse(edit_value)}});
        }
        txn.Commit();
      }
      sync_sent.push_back(Cli(options, fixture, {"sync"}).seconds);
      // A colleague's 20 edits reach the server; this tablet receives them.
      std::vector<Change> edits;
      Hlc hlc = HlcFromMillis(WallMillis());
      for (int edit = 0; edit < 20; ++edit) {
        auto [edit_field, edit_value] = faker.Edit();
        edits.push_back({fixture.colleague, ++fixture.colleague_seq, ++hlc, 0, "customer", pick(),
                         edit_field, edit_value});
      }
      fixture.server->storage().store().ApplyRemote(edits);
      sync_received.push_back(Cli(options, fixture, {"sync"}).seconds);
    }
    auto add = [&](const std::string& name, std::vector<double>& seconds, const char* what) {
      report.Add({"incremental", name + at, MedianOf(seconds) * 1000, "ms",
                  std::string(what) + " (target < 200 ms, the same at every size)"});
    };
    add("open", open, "`fieldcrm customer get ID --json`: opening the store and reading one");
    add("status", status, "`fieldcrm status`");
    add("customer set", set, "`fieldcrm customer set ID field=value`");
    add("sync after 100 edits", sync_sent, "`fieldcrm sync` sending 100 local edits");
    add("sync receiving 20", sync_received, "`fieldcrm sync` receiving 20 changes");
    if (customers <= options.Scaled(100'000, 20)) {
      for (const char* json : {"", "--json"}) {
        std::vector<std::string> args = {"customer", "list"};
        if (*json) args.push_back(json);
        ProcessResult list = Cli(options, fixture, args);
        std::string name = std::string("customer list") + (*json ? " --json" : "");
        report.Add({"incremental", name + " peak RSS" + at, list.peak_rss_mb, "MB",
                    "bounded whatever the store's size"});
        report.Add({"incremental", name + " time" + at, list.seconds * 1000, "ms", ""});
      }
      ProcessResult csv =
          Cli(options, fixture,
              {"export", "--format", "csv", "-o", options.dir + "/incremental-export.csv"});
      report.Add({"incremental", "export csv peak RSS" + at, csv.peak_rss_mb, "MB",
                  "bounded whatever the store's size"});
    }
    fixture.server.reset();
    std::filesystem::remove(options.dir + "/incremental-export.csv");
  }
}

}  // namespace fieldcrm::bench
