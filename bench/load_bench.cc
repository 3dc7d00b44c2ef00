#include "load_bench.h"

#include <algorithm>
#include <barrier>
#include <iostream>
#include <mutex>
#include <thread>

#include "bench_server.h"
#include "data.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/sync/transport.h"
#include "tablets.h"

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
};

LoadRun RunOnce(const Options& options, int tablets_count, int64_t per_tablet) {
  BenchServer server(options.dir + "/load-server.db");
  std::vector<Tablet> tablets(tablets_count);
  for (int i = 0; i < tablets_count; ++i) {
    Tablet& t = tablets[i];
    t.team = "team-" + std::to_string(i % kTeams);
    std::string name = "load-tablet-" + std::to_string(i);
    t.store = FreshStore(options.dir + "/" + name + ".db", {.name = name, .team = t.team});
    std::string agent = "顾问" + std::to_string(i);
    t.token = server.AgentToken(agent, t.team);
    ApplyInBatches(*t.store, MakeCustomerChanges(t.store->device().id, per_tablet,
                                                 static_cast<uint32_t>(100 + i), t.team, agent));
  }
  // Round 1: everyone pushes and pulls what is there; round 2: everyone pulls the rest.
  std::barrier round(tablets_count);
  double start = Now();
  std::vector<std::thread> threads;
  for (Tablet& t : tablets) {
    threads.emplace_back([&] {
      for (int r = 0; r < 2; ++r) {
        round.arrive_and_wait();
        TimedTransport transport(sync::MakeHttpTransport(server.url(), t.token), t.latencies);
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
  int64_t total = per_tablet * tablets_count;
  run.changes_per_second = static_cast<double>(total) / seconds;
  run.changes = total;
  for (Tablet& t : tablets) {
    run.latencies.insert(run.latencies.end(), t.latencies.begin(), t.latencies.end());
    run.failed_syncs += t.failed_syncs;
    if (t.failed_syncs > 0) std::cerr << "load: a failed sync: " << t.last_error << std::endl;
    // Every change of the tablet's team exactly once, its own included.
    int64_t team_size = (tablets_count - (&t - tablets.data()) % kTeams + kTeams - 1) / kTeams;
    int64_t expected = team_size * per_tablet;
    int64_t have = t.store->LogSize();
    int64_t distinct = StoreDatabase(*t.store)
                           .QueryInt("SELECT count(*) FROM (SELECT DISTINCT device, seq FROM log)")
                           .value_or(0);
    run.lost += std::max<int64_t>(0, expected - distinct);
    run.duplicated += have - distinct + std::max<int64_t>(0, distinct - expected);
  }
  int64_t on_server = server.storage().store().LogSize();
  run.lost += std::max<int64_t>(0, total - on_server);
  run.duplicated += std::max<int64_t>(0, on_server - total);
  return run;
}

}  // namespace

void RunLoadBenchmark(const Options& options, Report& report) {
  int tablets = static_cast<int>(options.Scaled(50, 2));
  int64_t per_tablet = options.Scaled(2000, 10);
  std::vector<double> rates, p50s, p99s;
  int64_t failed = 0, lost = 0, duplicated = 0, checked = 0, requests = 0;
  for (int i = 0; i < options.runs; ++i) {
    LoadRun run = RunOnce(options, tablets, per_tablet);
    rates.push_back(run.changes_per_second);
    p50s.push_back(Percentile(run.latencies, 0.50) * 1000);
    p99s.push_back(Percentile(run.latencies, 0.99) * 1000);
    failed += run.failed_syncs;
    lost += run.lost;
    duplicated += run.duplicated;
    checked += run.changes;
    requests += static_cast<int64_t>(run.latencies.size());
  }
  std::string who = std::to_string(tablets) + " tablets x " + std::to_string(per_tablet) +
                    " changes, " + std::to_string(kTeams) + " teams";
  report.Add({"load", "throughput", MedianOf(rates), "changes/s", who + ", pushed and pulled"});
  report.Add({"load", "p50 latency", MedianOf(p50s), "ms", "per request"});
  report.Add({"load", "p99 latency", MedianOf(p99s), "ms", "per request (target < 250 ms)"});
  report.Add({"load", "requests", static_cast<double>(requests), "requests", "over all runs"});
  report.Add({"load", "failed syncs", static_cast<double>(failed), "syncs", "target 0"});
  report.Add(
      {"load", "lost or duplicated", static_cast<double>(lost + duplicated), "changes",
       std::to_string(checked) + " changes checked on every tablet and the server (target 0)"});
}

}  // namespace fieldcrm::bench
