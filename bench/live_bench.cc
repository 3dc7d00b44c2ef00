#include "live_bench.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "bench_server.h"
#include "fieldcrm/application/session.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/sync/live_sync.h"
#include "tablets.h"

namespace fieldcrm::bench {

namespace {

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

void RunLiveBenchmark(const Options& options, Report& report) {
  BenchServer server(options.dir + "/live-server.db");
  std::string a_path = options.dir + "/live-a.db", b_path = options.dir + "/live-b.db";
  std::string a_token = server.AgentToken("顾问1", "team-0");
  std::string b_token = server.AgentToken("顾问2", "team-0");
  auto a = FreshStore(a_path, {.name = "live-a", .agent = "顾问1", .team = "team-0"});
  FreshStore(b_path, {.name = "live-b", .agent = "顾问2", .team = "team-0"});
  SyncOnce(*a, server.url(), a_token);

  // B: the loop of `fieldcrm sync --watch`, reporting when a sync received something.
  std::mutex mutex;
  std::condition_variable received;
  int64_t syncs_received = 0;
  double last_received_at = 0;
  std::atomic<bool> stop = false;
  std::thread watcher([&] {
    SessionOptions session_options;
    session_options.db_path = b_path;
    Session session(session_options);
    sync::RememberServer(session.store(), {server.url(), b_token, "", ""});
    auto transport = sync::MakeHttpTransport(server.url(), b_token);
    auto watch_transport = sync::MakeHttpTransport(server.url(), b_token, "", 60);
    sync::LiveSyncOptions live;
    live.periodic_ms = 3'600'000;  // so every receipt below is the watch's doing
    live.wait_ms = 5000;           // the last watch ends soon after the stop
    live.stopped = [&] { return stop.load(); };
    live.synced = [&](const sync::SessionSyncReport& outcome) {
      if (outcome.sync.received == 0) return;
      std::lock_guard lock(mutex);
      ++syncs_received;
      last_received_at = Now();
      received.notify_all();
    };
    sync::KeepInSync([&](const std::function<void(Session&)>& step) { step(session); }, *transport,
                     *watch_transport, live);
  });

  std::vector<double> latencies;
  auto samples = static_cast<int>(options.Scaled(20, 3)) * options.runs;
  Customers customers(*a);
  for (int i = 0; i < samples; ++i) {
    // B is back on its watch well before the next change (what a colleague's pace leaves it).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    customers.Add(
        {{"name", "客户" + std::to_string(i)}, {"phone", "1390000" + std::to_string(1000 + i)}});
    int64_t seen;
    {
      std::lock_guard lock(mutex);
      seen = syncs_received;
    }
    double start = Now();
    SyncOnce(*a, server.url(), a_token);
    std::unique_lock lock(mutex);
    if (!received.wait_for(lock, std::chrono::seconds(30), [&] { return syncs_received > seen; })) {
      break;  // reported below as fewer samples
    }
    latencies.push_back(last_received_at - start);
  }
  stop = true;
  watcher.join();
  std::string what = std::to_string(latencies.size()) + " of " + std::to_string(samples) +
                     " changes from the start of A's sync to the end of B's sync that received it";
  if (latencies.empty()) {
    report.Add({"live", "propagation p50", 0, "ms", "nothing arrived: " + what});
    return;
  }
  report.Add({"live", "propagation p50", Percentile(latencies, 0.5) * 1000, "ms",
              what + " (target: well under 1 s)"});
  report.Add({"live", "propagation p99", Percentile(latencies, 0.99) * 1000, "ms",
              what + " (target < 1 s)"});
}

}  // namespace fieldcrm::bench
