// Live updates in the agent's app with real processes: a fieldcrm-server, tablet A by the CLI,
// tablet B's `fieldcrm app`. Nothing syncs B but its app's own background thread (its periodic
// sync is five minutes away), so what B's app shows within the deadlines came through the watch.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"
#include "tests/tablet/app_fixture.h"

namespace fieldcrm::testing {
namespace {

// Generous for a loaded CI machine: the property is "without a tap on sync", not speed.
constexpr auto kDeadline = std::chrono::seconds(30);

// Whether ready() turns true within the deadline, asking every 100 ms.
template <typename Ready>
bool Within(std::chrono::steady_clock::duration deadline, Ready ready) {
  for (auto until = std::chrono::steady_clock::now() + deadline;;) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

struct LiveTeam {
  TempDir dir;
  std::string server_db = dir.File("hq.db");
  std::string a = dir.File("a.db"), b = dir.File("b.db");
  std::unique_ptr<ServerProcess> server = std::make_unique<ServerProcess>(
      server_db, dir.File("server.log"), std::vector<std::string>{"--insecure-http", "--create"});

  LiveTeam() {
    for (auto [db, agent] : {std::pair{a, "a"}, {b, "b"}}) {
      REQUIRE(Cli(db, {"init", "--device", agent, "--agent", agent, "--team", "T1"}).exit_code ==
              0);
      std::string token =
          Line(Server(server_db, {"token", "create", "--agent", agent, "--team", "T1"}).out);
      RunResult first = Cli(db, {"sync", "--server", server->url(), "--token", token});
      REQUIRE_MESSAGE(first.exit_code == 0, first.err);
    }
  }
  void AddAndSync(const std::string& name, const std::string& phone) {
    RunResult added = Cli(a, {"customer", "add", "--name", name, "--phone", phone});
    REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    RunResult synced = Cli(a, {"sync"});
    REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  }
};

nlohmann::json Status(const AppProcess& app) {
  auto res = app.Get("/api/status");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return Json(res);
}

// Whether B's app finds the customer with this phone (through its API) within the deadline.
bool AppHas(const AppProcess& app, const std::string& phone,
            std::chrono::steady_clock::duration deadline = kDeadline) {
  return Within(deadline, [&] {
    auto res = app.Get("/api/lookup?phone=" + phone);
    return res && res->status == 200 && !Json(res)["matches"].empty();
  });
}

TEST_CASE("a colleague's push shows in the running app without a tap on sync") {
  LiveTeam t;
  AppProcess app(t.dir, t.b);
  CHECK(Status(app)["live"] == true);
  int64_t version = Status(app)["data_version"];
  t.AddAndSync("张伟", "13800138000");
  CHECK_MESSAGE(AppHas(app, "13800138000"), Slurp(app.err));
  nlohmann::json status = Status(app);
  CHECK(status["online"] == true);
  CHECK(status["last_sync_at"] != "");
  CHECK(status["data_version"].get<int64_t>() > version);  // what the page watches to redraw
  // The live sync's figures, as the page's activity line and `status --json` read them.
  CHECK(status["sync"]["state"] == "done");
  auto progress = app.Get("/api/sync/progress");
  REQUIRE(progress);
  CHECK(Json(progress)["progress"]["state"] == "done");
  CHECK(Json(progress)["running"] == false);
  // And again: the watch is renewed after each wake-up.
  t.AddAndSync("李娜", "13900001111");
  CHECK(AppHas(app, "13900001111"));
}

TEST_CASE("the app resumes live updates after head office is killed and restarted") {
  LiveTeam t;
  AppProcess app(t.dir, t.b);
  REQUIRE(Within(kDeadline, [&] { return Status(app)["online"] == true; }));
  std::string url = t.server->url();
  t.server->Kill();
  // The cut watch is retried and fails: the status line says offline, with why.
  CHECK(Within(kDeadline, [&] { return Status(app)["online"] == false; }));
  CHECK(Status(app)["last_sync_error"].get<std::string>().find("cannot reach") !=
        std::string::npos);
  t.server = RestartServer(t.server_db, t.dir.File("server2.log"), url);
  t.AddAndSync("张伟", "13800138000");
  // The retries back off up to a minute: give it that beyond the deadline.
  CHECK_MESSAGE(AppHas(app, "13800138000", kDeadline + std::chrono::minutes(1)), Slurp(app.err));
  CHECK(Status(app)["online"] == true);
}

TEST_CASE("the app stops at once on SIGTERM while its watch waits on head office") {
  LiveTeam t;
  AppProcess app(t.dir, t.b);
  REQUIRE(Within(kDeadline, [&] { return Status(app)["online"] == true; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the watch is waiting now
  auto asked = std::chrono::steady_clock::now();
  int status = app.Signal(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The server holds a watch for 25 s: ending well before says the request was cut.
  CHECK(std::chrono::steady_clock::now() - asked < std::chrono::seconds(15));
}

TEST_CASE("head office's wipe reaches the watching app: the store is deleted, the page told") {
  LiveTeam t;
  AppProcess app(t.dir, t.b);
  REQUIRE(Within(kDeadline, [&] { return Status(app)["online"] == true; }));
  for (const auto& token :
       nlohmann::json::parse(Server(t.server_db, {"--json", "token", "list"}).out)) {
    if (token["agent"] == "b") {
      REQUIRE(Server(t.server_db, {"token", "revoke", token["id"], "--wipe"}).exit_code == 0);
    }
  }
  // The waiting watch ends within its 25 s; the next one is told, and the sync wipes.
  CHECK_MESSAGE(
      Within(kDeadline + std::chrono::seconds(30), [&] { return Status(app)["wiped"] != ""; }),
      Slurp(app.err));
  CHECK_FALSE(std::filesystem::exists(t.b));
  CHECK(Status(app)["set_up"] == false);
}

TEST_CASE("with --no-live only the sync button syncs") {
  LiveTeam t;
  AppProcess app(t.dir, t.b, {"--no-live"});
  CHECK(Status(app)["live"] == false);
  t.AddAndSync("张伟", "13800138000");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto found = app.Get("/api/lookup?phone=13800138000");
  REQUIRE(found);
  CHECK(Json(found)["matches"].empty());
  auto synced = app.Post("/api/sync", nlohmann::json::object());
  REQUIRE(synced);
  CHECK(synced->status == 200);
  CHECK(AppHas(app, "13800138000"));
}

}  // namespace
}  // namespace fieldcrm::testing
