// Several fieldcrm-server processes on one PostgreSQL database behind a load balancer (Debian's
// haproxy, round robin): tablets syncing through it land on any process from one request to the
// next, one process is killed with SIGKILL while they sync, and every tablet and the database
// still end up with the same data, nothing lost or duplicated; a person logged in to the dashboard
// on one process stays logged in on the others (docs/postgresql.md).
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/postgres/pg_connection.h"
#include "fieldcrm/sync/client.h"
#include "fieldcrm/sync/transport.h"
#include "tests/support/postgres_cluster.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

using namespace fieldcrm;
using namespace fieldcrm::testing;

namespace {

std::string PortOf(const std::string& url) {
  return url.substr(url.rfind(':') + 1);
}

// haproxy in the foreground, round robin over the servers, each checked on /v1/health every
// 200 ms; a request a dead server refused goes to another one. It names each request's client in
// X-Forwarded-For, as docs/postgresql.md's deployment does.
class LoadBalancer {
 public:
  LoadBalancer(const TempDir& dir, const std::vector<std::string>& servers) {
    port_ = FreeLoopbackPort();
    std::ofstream config(dir.File("haproxy.cfg"));
    config << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n"
              "  timeout server 60s\n  retries 3\n  option redispatch\n  option forwardfor\n"
              "frontend tablets\n  bind 127.0.0.1:"
           << port_ << "\n  default_backend servers\n"
           << "backend servers\n  balance roundrobin\n  option httpchk GET /v1/health\n";
    for (size_t i = 0; i < servers.size(); ++i) {
      config << "  server s" << i << " 127.0.0.1:" << PortOf(servers[i])
             << " check inter 200ms fall 1 rise 2\n";
    }
    config.close();
    pid_ = Spawn({"/usr/sbin/haproxy", "-db", "-f", dir.File("haproxy.cfg")}, "/dev/null",
                 dir.File("haproxy.out"), dir.File("haproxy.err"));
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    auto transport = sync::MakeHttpTransport(url_, "");
    for (int i = 0; i < 200; ++i) {  // listening, with its servers up, within a few seconds
      try {
        if (transport->Get("/v1/health").status == 200) return;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("haproxy never answered: " << ReadFile(dir.File("haproxy.err")));
  }
  ~LoadBalancer() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  const std::string& url() const { return url_; }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
  std::string url_;
};

// One throwaway cluster for the whole program, a database per test.
PostgresCluster& Cluster() {
  static PostgresCluster cluster;
  return cluster;
}

std::string NewDatabase(const std::string& name) {
  Cluster().CreateDatabase(name);
  return Cluster().Url(name);
}

}  // namespace

TEST_CASE("three servers on one database behind haproxy: one killed mid-sync, nothing lost") {
  const std::string db = NewDatabase("hq");
  TempDir dir;
  constexpr int kTablets = 6, kRounds = 6, kPerRound = 40;
  std::vector<std::string> tokens;
  for (int t = 0; t < kTablets; ++t) {
    RunResult token =
        Server(db, {"token", "create", "--agent", "agent" + std::to_string(t), "--team", "A"});
    REQUIRE(token.exit_code == 0);
    tokens.push_back(Line(token.out));
  }
  std::vector<std::unique_ptr<ServerProcess>> servers;
  std::vector<std::string> urls;
  for (int s = 0; s < 3; ++s) {
    servers.push_back(
        std::make_unique<ServerProcess>(db, dir.File("server" + std::to_string(s) + ".log")));
    urls.push_back(servers.back()->url());
  }
  LoadBalancer balancer(dir, urls);

  // A person logs in on one process; the round robin sends their next pages to the others.
  RunResult added = Run({FIELDCRM_SERVER, "--db", db, "users", "add", "总部刘", "--role", "office"},
                        "head-office-password\n");
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  httplib::Client http(balancer.url());
  auto login = http.Post("/login", {{"Origin", balancer.url()}},
                         httplib::Params{{"name", "总部刘"}, {"password", "head-office-password"}});
  REQUIRE(login);
  REQUIRE(login->status == 303);
  std::string cookie = login->get_header_value("Set-Cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  for (int page = 0; page < 6; ++page) {
    auto res = http.Get("/v1/reports", {{"Cookie", cookie}});
    REQUIRE(res);
    CHECK(res->status == 200);
  }

  std::vector<std::unique_ptr<Store>> tablets;
  for (int t = 0; t < kTablets; ++t) {
    tablets.push_back(
        NewTablet(dir.File("t" + std::to_string(t) + ".db"), "agent" + std::to_string(t), "A"));
  }
  std::atomic<int> rounds_done = 0, failed_syncs = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kTablets; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        Customers customers(*tablets[t]);
        for (int i = 0; i < kPerRound; ++i) {
          // Each tablet's own buyers, and one phone every tablet registers (merged on the server).
          std::string phone =
              i == 0 ? "13900000000" : std::to_string(13800000000 + t * 10000 + round * 100 + i);
          customers.Add({{"name", "客户" + std::to_string(t)}, {"phone", phone}, {"team", "A"}});
        }
        sync::SyncOptions small_batches;
        small_batches.batch = 25;  // many requests per sync, spread over the servers
        try {
          SyncWith(*tablets[t], balancer.url(), tokens[t], small_batches);
        } catch (const std::exception&) {
          ++failed_syncs;  // the killed server's requests: the next sync sends them again
        }
        ++rounds_done;
      }
    });
  }
  // One server dies while the tablets are in the middle of their syncs.
  while (rounds_done < kTablets * 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const pid_t killed = servers[1]->pid();
  servers[1]->Kill();
  for (auto& thread : threads) thread.join();
  MESSAGE("syncs that failed when the server died: " << failed_syncs.load());

  // Two more rounds for everyone, then every tablet holds everything.
  for (int pass = 0; pass < 2; ++pass) {
    for (int t = 0; t < kTablets; ++t) SyncWith(*tablets[t], balancer.url(), tokens[t]);
  }
  // A process that starts deletes the replica folders of processes that are gone.
  auto head_office = OpenServer(db);
  std::error_code ignored;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ignored)) {
    CHECK(!entry.path().filename().string().starts_with("fieldcrm-replica-" +
                                                        std::to_string(killed) + "-"));
  }
  Store& central = head_office->store();
  std::string expected = CanonicalDump(central);
  for (int t = 0; t < kTablets; ++t) {
    CAPTURE(t);
    CHECK(CanonicalDump(*tablets[t]) == expected);
    // Every own change of the tablet is in the database once.
    CHECK(LogCount(central, tablets[t]->device().id) ==
          LogCount(*tablets[t], tablets[t]->device().id));
  }
  postgres::PgConnection conn(db);
  CHECK(conn.Exec("SELECT count(*) FROM fieldcrm_log").Int(0, 0) ==
        conn.Exec("SELECT count(DISTINCT (device, seq)) FROM fieldcrm_log").Int(0, 0));
  CHECK(conn.Exec("SELECT count(*) FROM fieldcrm_log").Int(0, 0) == central.LogHead());
  // The buyer every tablet registered is one customer on the server.
  auto buyers = conn.Exec(
      "SELECT count(DISTINCT record) FROM fieldcrm_log WHERE field = 'phone' AND value LIKE "
      "'%13900000000%'");
  CHECK(buyers.Int(0, 0) == kTablets);
  auto merged =
      conn.Exec("SELECT count(DISTINCT record) FROM fieldcrm_log WHERE field = '_merged_into'");
  CHECK(merged.Int(0, 0) == kTablets - 1);
}

// Two server processes on a database of their own, trusting 127.0.0.1 (the tests' haproxy) to
// name the client, with a failed-authentication limit of 4.
struct TwoServers {
  explicit TwoServers(const std::string& name) : db(NewDatabase(name)) {
    token_a = Line(Server(db, {"token", "create", "--agent", "a", "--team", "A"}).out);
    token_b = Line(Server(db, {"token", "create", "--agent", "b", "--team", "A"}).out);
    for (int s = 0; s < 2; ++s) {
      servers.push_back(std::make_unique<ServerProcess>(
          db, dir.File("server" + std::to_string(s) + ".log"),
          std::vector<std::string>{"--insecure-http", "--auth-failure-limit", "4",
                                   "--trusted-proxy", "127.0.0.1"}));
      urls.push_back(servers.back()->url());
    }
  }
  std::string db;
  TempDir dir;
  std::string token_a, token_b;
  std::vector<std::unique_ptr<ServerProcess>> servers;
  std::vector<std::string> urls;
};

TEST_CASE("a tablet watching on one process hears a push another process took") {
  TwoServers two("hq_watch");
  auto a = NewTablet(two.dir.File("a.db"), "a", "A");
  auto b = NewTablet(two.dir.File("b.db"), "b", "A");
  SyncWith(*b, two.urls[0], two.token_b);
  // B waits up to 40 s on server 0: only server 1's notification can end the wait with news,
  // since nothing is pushed to server 0.
  constexpr int64_t kWaitMs = 40'000;
  sync::WatchRequest watch = sync::NextWatch(*b, kWaitMs);
  std::optional<sync::WatchAnswer> answer;
  std::thread watcher([&] {
    auto transport = sync::MakeHttpTransport(two.urls[0], two.token_b);
    answer = sync::Watch(*transport, watch);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // B is waiting
  Customers(*a).Add({{"name", "王芳"}, {"phone", "13700001111"}, {"team", "A"}});
  auto started = std::chrono::steady_clock::now();
  SyncWith(*a, two.urls[1], two.token_a);
  watcher.join();
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  MESSAGE("server 0's watcher answered " << waited.count() << " ms after A's sync began");
  REQUIRE(answer);
  CHECK(answer->changed);
  SyncWith(*b, two.urls[0], two.token_b);
  CHECK(CanonicalDump(*b) == CanonicalDump(*a));
}

TEST_CASE("behind haproxy, failed authentications count per client, across processes") {
  TwoServers two("hq_limits");
  LoadBalancer balancer(two.dir, two.urls);
  const int port = std::stoi(PortOf(balancer.url()));
  // Round robin spreads these over both processes; the fifth is over the shared limit of 4.
  for (int attempt = 0; attempt < 4; ++attempt) {
    CHECK(RequestFrom("127.0.0.2", port, "fcrm_guess").first == 401);
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    CHECK(RequestFrom("127.0.0.2", port, "fcrm_guess").first == 429);
  }
  // Straight to a process, the same client is over the limit too.
  for (const std::string& url : two.urls) {
    CHECK(RequestFrom("127.0.0.2", std::stoi(PortOf(url)), "fcrm_guess").first == 429);
  }
  // Another client behind the same balancer is judged on its own, and valid tokens pass.
  CHECK(RequestFrom("127.0.0.3", port, "fcrm_guess").first == 401);
  CHECK(RequestFrom("127.0.0.2", port, two.token_a).first == 200);
  postgres::PgConnection conn(two.db);
  CHECK(conn.Exec("SELECT failures FROM auth_failures WHERE address = '127.0.0.2'").Int(0, 0) == 4);
  CHECK(conn.Exec("SELECT count(*) FROM auth_failures WHERE address = '127.0.0.1'").Int(0, 0) == 0);
}
