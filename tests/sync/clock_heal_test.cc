// The clock policy that heals (docs/sync-protocol.md, "Clock skew"), on real processes with
// Debian's faketime: a fieldcrm-server on the real clock, and `fieldcrm` tablets whose clocks run
// 5 days ahead, 5 days behind, or stand still. Every sync succeeds and nothing is refused; what a
// tablet stamped too far ahead is stamped again before it leaves, so no stamp on the server is
// more than the bound ahead and no tablet's clock is moved by another's; a tablet stamps its later
// writes with the server's time; a new tablet joining afterwards has a true clock; every replica
// ends the same.
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>

#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/hlc.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

constexpr int64_t kMinute = 60000;

// The fieldcrm CLI under faketime with clock spec `clock` ("" = the real clock): "+5d", "-5d", or
// an absolute "YYYY-MM-DD hh:mm:ss" at which the clock stands still.
RunResult CliAt(const std::string& clock, const std::string& db,
                const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (!clock.empty()) {
    // Monotonic time stays real: timeouts and waits measure real time.
    argv = {"/usr/bin/env", "FAKETIME_DONT_FAKE_MONOTONIC=1", "/usr/bin/faketime", "-f", clock};
  }
  argv.insert(argv.end(), {FIELDCRM_CLI, "--db", db});
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

std::string Must(const RunResult& r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return Line(r.out);
}

// Syncs, and checks that the sync succeeded with nothing refused.
void Sync(const std::string& clock, const std::string& db, const std::string& url = "",
          const std::string& token = "") {
  std::vector<std::string> args = {"sync"};
  if (!url.empty()) args.insert(args.end(), {"--server", url, "--token", token});
  RunResult r = CliAt(clock, db, args);
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(r.out.find("refused 0") != std::string::npos, (r.out + r.err));
}

int64_t MaxStampMs(const std::string& server_db) {
  auto server = OpenServer(server_db);
  Hlc latest = 0;
  for (const auto& entry : server->store().ReadLog(0, 1000000)) {
    latest = std::max(latest, entry.change.hlc);
  }
  return HlcMillis(latest);
}

// The stamp of the newest own change of a tablet.
int64_t LastOwnStampMs(const std::string& db) {
  auto store = OpenCustomerStore(db);
  auto own = store->ReadLog(0, 1000000, /*own_only=*/true);
  REQUIRE_FALSE(own.empty());
  return HlcMillis(own.back().change.hlc);
}

std::string StandingClock(int64_t ms) {
  std::time_t seconds = ms / 1000;
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::gmtime(&seconds));
  return text;
}

TEST_CASE(
    "tablets 5 days ahead, 5 days behind and with a standing clock all sync; nothing spreads") {
  TempDir dir;
  std::string server_db = dir.File("server.db");
  ServerProcess server(server_db, dir.File("server.log"), {"--insecure-http", "--create"});
  auto token = [&](const std::string& agent) {
    return Must(Server(server_db, {"token", "create", "--agent", agent, "--team", "A"}));
  };
  auto init = [&](const std::string& clock, const std::string& name, const std::string& agent) {
    std::string db = dir.File(name + ".db");
    Must(CliAt(clock, db, {"init", "--device", name, "--agent", agent, "--team", "A"}));
    return db;
  };
  const std::string ahead = "+5d", behind = "-5d";
  const std::string standing = StandingClock(Env::Default().NowMillis() - 26 * 60 * kMinute);

  // Offline, a tablet 5 days ahead registers a buyer and marks her intent.
  std::string wang = init(ahead, "wang", "wang");
  std::string buyer =
      Must(CliAt(ahead, wang, {"customer", "add", "--name", "张伟", "--phone", "13800138000"}));
  Must(CliAt(ahead, wang, {"customer", "set", buyer, "stage=intent"}));
  CHECK(LastOwnStampMs(wang) > Env::Default().NowMillis() + 4 * 24 * 60 * kMinute);
  Sync(ahead, wang, server.url(), token("wang"));
  int64_t now = Env::Default().NowMillis();
  CHECK(MaxStampMs(server_db) <= now + 5 * kMinute);
  // Its next write, still on the wrong clock, is stamped with the server's time.
  Must(CliAt(ahead, wang, {"customer", "set", buyer, "notes=看过样板间"}));
  CHECK(LastOwnStampMs(wang) <= Env::Default().NowMillis() + kMinute);

  // A tablet 5 days behind registers another, syncs, and edits the first buyer afterwards.
  std::string li = init(behind, "li", "li");
  Must(CliAt(behind, li, {"customer", "add", "--name", "李娜", "--phone", "13900139000"}));
  Sync(behind, li, server.url(), token("li"));
  Must(CliAt(behind, li, {"customer", "set", buyer, "stage=buyer"}));
  CHECK(LastOwnStampMs(li) >= Env::Default().NowMillis() - kMinute);
  Sync(behind, li);

  // A tablet whose clock stands still a day ago.
  std::string zhao = init(standing, "zhao", "zhao");
  for (int i = 0; i < 3; ++i) {
    Must(CliAt(standing, zhao,
               {"customer", "add", "--name", "赵" + std::to_string(i), "--phone",
                "1370000000" + std::to_string(i)}));
  }
  Sync(standing, zhao, server.url(), token("zhao"));
  Must(CliAt(standing, zhao, {"customer", "add", "--name", "赵九", "--phone", "13700000009"}));
  Sync(standing, zhao);

  // The first tablet's clock is put right; it writes and syncs at once.
  Must(CliAt("", wang, {"customer", "add", "--name", "王五", "--phone", "13600000005"}));
  Sync("", wang);
  // The later honest edit (buyer) beat the earlier one made on the clock that ran ahead.
  CHECK(nlohmann::json::parse(CliAt("", wang, {"--json", "customer", "get", buyer}).out)["stage"] ==
        "buyer");

  // A new tablet joins afterwards: nothing it receives moves its clock.
  std::string sun = init("", "sun", "sun");
  Sync("", sun, server.url(), token("sun"));
  Must(CliAt("", sun, {"customer", "add", "--name", "孙七", "--phone", "13500000007"}));
  CHECK(LastOwnStampMs(sun) <= Env::Default().NowMillis() + kMinute);
  Sync("", sun);

  for (const auto& [clock, db] : std::vector<std::pair<std::string, std::string>>{
           {ahead, wang}, {behind, li}, {standing, zhao}, {"", sun}}) {
    Sync(clock, db);
  }
  CHECK(MaxStampMs(server_db) <= Env::Default().NowMillis() + 5 * kMinute);
  auto head_office = OpenServer(server_db);
  Store& central = head_office->store();
  for (const std::string& db : {wang, li, zhao, sun}) {
    auto tablet = OpenCustomerStore(db);
    CHECK_MESSAGE(CanonicalDump(*tablet) == CanonicalDump(central), db);
    CHECK(LogCount(central, tablet->device().id) == LogCount(*tablet, tablet->device().id));
  }
}

TEST_CASE("head office cannot widen the clock bound far enough to poison the team") {
  TempDir dir;
  std::string server_db = dir.File("server.db");
  RunResult r = Server(server_db, {"serve", "--listen", "127.0.0.1:0", "--insecure-http",
                                   "--create", "--max-clock-ahead", "7200"});
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(r.err.find("--max-clock-ahead") != std::string::npos, r.err);
}

}  // namespace
}  // namespace fieldcrm::testing
