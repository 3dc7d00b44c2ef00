#include "load_bench.h"

#include <algorithm>
#include <barrier>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "bench_server.h"
#include "data.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/sync/transport.h"
#include "server_fleet.h"
#include "tablets.h"
#include "tests/support/postgres_cluster.h"

namespace fieldcrm::bench {

namespace {

constexpr int kTeams = 5;

// Times every request a tablet makes.
class TimedTransport : public sync::Transport {
 public:
  TimedTransport(std::unique_ptr<sync::Transport> inner, std::vector<double>& latencies)
      : inner_(std::move(inner)), latencies_(latencies) {}
  sync::HttpReply Get(const std::string& path) override {
    return Time([&] { return inner_->Get(path); });
  }
  sync::HttpReply Post(const std::string& path, const nlohmann::json& body) override {
    return Time([&] { return inner_->Post(path, body); });
  }
  void CompressRequests(bool on) override { inner_->CompressRequests(on); }
  void Cancel() override { inner_->Cancel(); }

 private:
  template <typename Fn>
  sync::HttpReply Time(Fn request) {
    double start = Now();
    sync::HttpReply reply = request();
    latencies_.push_back(Now() - start);
    return reply;
  }
  std::unique_ptr<sync::Transport> inner_;
  std::vector<double>& latencies_;
};

struct Tablet {
  std::unique_ptr<Store> store;
  std::string token;
  std::string team;
  std::vector<double> latencies;
  int64_t failed_syncs = 0;
  std::string last_error;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[index];
}

struct LoadRun {
  double changes_per_second = 0;
  std::vector<double> latencies;
  int64_t failed_syncs = 0, lost = 0, duplicated = 0, changes = 0;
  double server_rss_mb = 0;  // the fleet's server processes; 0 for an in-process server
};

// A Monday morning: `tablets` tablets in `teams` teams, each with `per_tablet` changes made
// offline.
struct Fleet {
  int tablets = 0;
  int64_t per_tablet = 0;
  int teams = kTeams;
  int unscaled_tablets = 0;  // what --fleet-tablets names it by
};

std::vector<Tablet> MakeTablets(
    const Options& options, const Fleet& fleet,
    const std::function<std::string(const std::string& agent, const std::string& team)>& token) {
  std::vector<Tablet> tablets(static_cast<size_t>(fleet.tablets));
  for (int i = 0; i < fleet.tablets; ++i) {
    Tablet& t = tablets[static_cast<size_t>(i)];
    t.team = "team-" + std::to_string(i % fleet.teams);
    std::string name = "load-tablet-" + std::to_string(i);
    t.store = FreshStore(options.dir + "/" + name + ".db", {.name = name, .team = t.team});
    std::string agent = "顾问" + std::to_string(i);
    t.token = token(agent, t.team);
    ApplyInBatches(*t.store, MakeCustomerChanges(t.store->device().id, fleet.per_tablet,
                                                 static_cast<uint32_t>(100 + i), t.team, agent));
  }
  return tablets;
}

// Every tablet syncs with url at once, two rounds (round 1: push and pull what is there; round
// 2: pull the rest), a sync retried up to 3 times; every request timed. Then checks every
// tablet holds each change of its team exactly once, and the server (server_log: its log's
// size) each change of all.
LoadRun SyncAll(const Fleet& fleet, std::vector<Tablet>& tablets, const std::string& url,
                const std::function<int64_t()>& server_log) {
  std::barrier round(fleet.tablets);
  double start = Now();
  std::vector<std::thread> threads;
  for (Tablet& t : tablets) {
    threads.emplace_back([&] {
      for (int r = 0; r < 2; ++r) {
        round.arrive_and_wait();
        TimedTransport transport(sync::MakeHttpTransport(url, t.token), t.latencies);
        for (int attempt = 0; attempt < 3; ++attempt) {
          try {
            sync::SyncClient(*t.store, transport).Run();
            break;
          } catch (const std::exception& e) {
            ++t.failed_syncs;
            t.last_error = e.what();
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  LoadRun run;
  double seconds = Now() - start;
  int64_t total = fleet.per_tablet * fleet.tablets;
  run.changes_per_second = static_cast<double>(total) / seconds;
  run.changes = total;
  for (Tablet& t : tablets) {
    run.latencies.insert(run.latencies.end(), t.latencies.begin(), t.latencies.end());
    run.failed_syncs += t.failed_syncs;
    if (t.failed_syncs > 0) std::cerr << "load: a failed sync: " << t.last_error << std::endl;
    // Every change of the tablet's team exactly once, its own included.
    int64_t index = &t - tablets.data();
    int64_t team_size = (fleet.tablets - index % fleet.teams + fleet.teams - 1) / fleet.teams;
    int64_t expected = team_size * fleet.per_tablet;
    int64_t have = t.store->LogSize();
    int64_t distinct = StoreDatabase(*t.store)
                           .QueryInt("SELECT count(*) FROM (SELECT DISTINCT device, seq FROM log)")
                           .value_or(0);
    run.lost += std::max<int64_t>(0, expected - distinct);
    run.duplicated += have - distinct + std::max<int64_t>(0, distinct - expected);
  }
  int64_t on_server = server_log();
  run.lost += std::max<int64_t>(0, total - on_server);
  run.duplicated += std::max<int64_t>(0, on_server - total);
  return run;
}

LoadRun RunOnce(const Options& options, const Fleet& fleet) {
  BenchServer server(options.dir + "/load-server.db");
  std::vector<Tablet> tablets = MakeTablets(
      options, fleet,
      [&](const std::string& a, const std::string& t) { return server.AgentToken(a, t); });
  return SyncAll(fleet, tablets, server.url(), [&] { return server.storage().store().LogSize(); });
}

// The same Monday morning against head office deployed as real processes: one on a SQLite file,
// or `processes` on a PostgreSQL database (fresh for each run) behind haproxy.
LoadRun RunFleetOnce(const Options& options, const Fleet& fleet, const std::string& db,
                     int processes) {
  std::vector<Tablet> tablets;
  {
    // Tokens issued before the servers start, as head office's admin does.
    sync::SqliteServerStorage storage(db);
    tablets = MakeTablets(options, fleet, [&](const std::string& agent, const std::string& team) {
      sync::TokenInfo info;
      info.agent = agent;
      info.team = team;
      return sync::IssueToken(storage, info);
    });
  }
  LoadRun run;
  {
    ServerFleet servers(options.server_binary, db, processes, options.dir);
    run = SyncAll(fleet, tablets, servers.url(), [&] {
      sync::SqliteServerStorage storage(db);
      storage.CatchUp();
      return storage.store().LogSize();
    });
    run.server_rss_mb = servers.PeakRssMb();
  }
  return run;
}

struct Figures {
  std::vector<double> rates, p50s, p99s, rss;
  int64_t failed = 0, lost_or_duplicated = 0, checked = 0, requests = 0;
  void Add(const LoadRun& run) {
    rates.push_back(run.changes_per_second);
    p50s.push_back(Percentile(run.latencies, 0.50) * 1000);
    p99s.push_back(Percentile(run.latencies, 0.99) * 1000);
    rss.push_back(run.server_rss_mb);
    failed += run.failed_syncs;
    lost_or_duplicated += run.lost + run.duplicated;
    checked += run.changes;
    requests += static_cast<int64_t>(run.latencies.size());
  }
};

std::string Describe(const Fleet& fleet) {
  return std::to_string(fleet.tablets) + " tablets x " + std::to_string(fleet.per_tablet) +
         " changes, " + std::to_string(fleet.teams) + " teams";
}

}  // namespace

void RunLoadBenchmark(const Options& options, Report& report) {
  const Fleet fleet{static_cast<int>(options.Scaled(50, 2)), options.Scaled(2000, 10)};
  Figures figures;
  for (int i = 0; i < options.runs; ++i) figures.Add(RunOnce(options, fleet));
  report.Add({"load", "throughput", MedianOf(figures.rates), "changes/s",
              Describe(fleet) + ", pushed and pulled"});
  report.Add({"load", "p50 latency", MedianOf(figures.p50s), "ms", "per request"});
  report.Add(
      {"load", "p99 latency", MedianOf(figures.p99s), "ms", "per request (target < 250 ms)"});
  report.Add(
      {"load", "requests", static_cast<double>(figures.requests), "requests", "over all runs"});
  report.Add({"load", "failed syncs", static_cast<double>(figures.failed), "syncs", "target 0"});
  report.Add({"load", "lost or duplicated", static_cast<double>(figures.lost_or_duplicated),
              "changes",
              std::to_string(figures.checked) +
                  " changes checked on every tablet and the server (target 0)"});
}

void RunFleetBenchmark(const Options& options, Report& report) {
  // Monday morning after a weekend of launch events: every agent syncs at once, each with a
  // weekend's work (20,000 changes in all at --scale 1, about 1,800 customers); past 50 tablets,
  // a company of 20 teams. What grows is the number of tablets at once, not the data.
  const std::vector<Fleet> fleets = {
      {static_cast<int>(options.Scaled(50, 2)), options.Scaled(400, 10), kTeams, 50},
      {static_cast<int>(options.Scaled(200, 2)), options.Scaled(100, 10), 20, 200},
      {static_cast<int>(options.Scaled(500, 2)), options.Scaled(40, 10), 20, 500}};
  struct Backend {
    const char* key;  // what --fleet-backend names it by
    const char* name;
    bool postgres;
    int processes;
  };
  const Backend backends[] = {{"sqlite", "SQLite, 1 process", false, 1},
                              {"pg1", "PostgreSQL, 1 process", true, 1},
                              {"pg3", "PostgreSQL, 3 processes + haproxy", true, 3}};
  // PostgreSQL as a deployment runs it: fsync on.
  testing::PostgresCluster cluster(testing::PostgresCluster::Durability::kDurable);
  int databases = 0;
  for (const Fleet& fleet : fleets) {
    if (options.fleet_tablets != 0 && options.fleet_tablets != fleet.unscaled_tablets) continue;
    for (const Backend& backend : backends) {
      if (!options.fleet_backend.empty() && options.fleet_backend != backend.key) continue;
      Figures figures;
      for (int i = 0; i < options.runs; ++i) {
        std::string db = options.dir + "/fleet-server.db";
        if (backend.postgres) {
          std::string name = "fleet_" + std::to_string(++databases);
          cluster.CreateDatabase(name);
          db = cluster.Url(name);
        } else {
          RemoveStoreFiles(db);
        }
        figures.Add(RunFleetOnce(options, fleet, db, backend.processes));
      }
      const std::string what = std::to_string(fleet.tablets) + " tablets, " + backend.name;
      report.Add({"fleet", what + ": throughput", MedianOf(figures.rates), "changes/s",
                  Describe(fleet) + ", pushed (and pulled by each team)"});
      report.Add({"fleet", what + ": p50", MedianOf(figures.p50s), "ms", "per request"});
      report.Add({"fleet", what + ": p99", MedianOf(figures.p99s), "ms",
                  "per request (targets: 50 tablets < 250 ms, 200 < 1 s)"});
      report.Add({"fleet", what + ": server RSS", MedianOf(figures.rss), "MB",
                  "peak, summed over the server processes"});
      report.Add({"fleet", what + ": failed syncs", static_cast<double>(figures.failed), "syncs",
                  "target 0 (a sync is retried up to 3 times)"});
      report.Add({"fleet", what + ": lost or duplicated",
                  static_cast<double>(figures.lost_or_duplicated), "changes",
                  std::to_string(figures.checked) + " checked on every tablet and the server"});
    }
  }
}

}  // namespace fieldcrm::bench
