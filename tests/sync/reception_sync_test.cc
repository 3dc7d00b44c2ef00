// Reception tablets syncing through a real server. Two at one sales office, each offline for a
// while: the rotation plugin's reception records merge like every record, so both tablets end
// with one log and one queue. Two sales offices', each synced with its team leader's token: the
// reception records (which hang under no customer) carry the writing tablet's team, so neither
// team receives the other's walk-in log, a tablet claiming another team's stamp has its records
// refused, and head office receives both.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fieldcrm/projections/customer_store.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

json Ok(const std::string& db, const std::string& time, std::vector<std::string> args) {
  args.insert(args.begin(), {"--json", "--as-of=2026-06-15T" + time + "+08:00"});
  RunResult r = Cli(db, args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

void Sync(const std::string& db) {
  RunResult r = Cli(db, {"sync"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  REQUIRE_MESSAGE(r.out.find("refused 0") != std::string::npos, r.out << r.err);
}

TEST_CASE("two reception tablets that received walk-ins offline converge on one log and queue") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string a = dir.File("front-desk.db"), b = dir.File("show-flat.db");
  // The reception tablets sync with the team leader's token: their reception records carry the
  // team, and a leader may credit walk-ins to the team's agents (those holding its tokens).
  server.Token("王芳", "滨江一组");
  server.Token("李强", "滨江一组");
  for (const auto& [db, device] : {std::pair{a, "front-desk"}, std::pair{b, "show-flat"}}) {
    REQUIRE(
        Cli(db, {"init", "--device", device, "--agent", "前台", "--team", "滨江一组"}).exit_code ==
        0);
    REQUIRE(Cli(db, {"sync", "--server", server.url(), "--token",
                     server.Token("前台", "滨江一组", sync::Role::kLeader)})
                .exit_code == 0);
  }
  Ok(a, "09:00", {"reception", "duty", "王芳", "李强"});
  Sync(a);
  Sync(b);
  CHECK(Ok(b, "09:01", {"reception", "queue"})["order"] == json({"王芳", "李强"}));

  // Offline, each tablet sees only its own walk-ins: both give 王芳 the first one.
  CHECK(Ok(a, "09:10",
           {"reception", "walkin", "--phone", "13800000001", "--name", "张一", "--source",
            "来访"})["agent"] == "王芳");
  CHECK(Ok(b, "09:12",
           {"reception", "walkin", "--phone", "13800000002", "--name", "张二", "--source",
            "老带新"})["agent"] == "王芳");
  for (const std::string& db : {a, b, a}) Sync(db);

  json log_a = Ok(a, "18:00", {"reception", "log"});
  json log_b = Ok(b, "18:00", {"reception", "log"});
  CHECK(log_a == log_b);
  CHECK(log_a["totals"]["walk_ins"] == 2);
  CHECK(log_a["by_agent"]["王芳"]["total"] == 2);
  CHECK(log_a["by_source"] == json({{"referral", 1}, {"walk-in", 1}}));
  json queue_a = Ok(a, "18:00", {"reception", "queue"});
  CHECK(queue_a == Ok(b, "18:00", {"reception", "queue"}));
  CHECK(queue_a["busy"] == json({"王芳"}));

  // After the merge both tablets agree whose turn it is: 李强 (王芳 went to the back, twice).
  CHECK(Ok(b, "18:05",
           {"reception", "walkin", "--phone", "13800000003", "--name", "张三"})["agent"] == "李强");
}

constexpr const char* kTeamA = "滨江一组";
constexpr const char* kTeamB = "城东二组";

void Init(TestServer& server, const std::string& db, const std::string& device,
          const std::string& team, const std::string& token) {
  REQUIRE(Cli(db, {"init", "--device", device, "--agent", "前台", "--team", team}).exit_code == 0);
  REQUIRE(Cli(db, {"sync", "--server", server.url(), "--token", token}).exit_code == 0);
}

std::string Dump(const std::string& db) {
  return CanonicalDump(*OpenCustomerStore(db));
}

TEST_CASE("reception logs stay with their team; a forged team is refused; head office sees both") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  // The agents on duty hold tokens of their teams, so their leader's reception tablet may credit
  // walk-ins to them.
  server.Token("王芳", kTeamA);
  server.Token("李强", kTeamB);
  std::string a = dir.File("a.db"), b = dir.File("b.db"), office = dir.File("office.db");
  Init(server, a, "front-a", kTeamA, server.Token("前台", kTeamA, sync::Role::kLeader));
  Init(server, b, "front-b", kTeamB, server.Token("前台", kTeamB, sync::Role::kLeader));
  REQUIRE(Cli(office, {"init", "--device", "hq"}).exit_code == 0);
  REQUIRE(Cli(office, {"sync", "--server", server.url(), "--token",
                       server.Token("总部", "", sync::Role::kOffice)})
              .exit_code == 0);

  Ok(a, "09:00", {"reception", "duty", "王芳"});
  Ok(b, "09:00", {"reception", "duty", "李强"});
  CHECK(Ok(a, "09:10",
           {"reception", "walkin", "--phone", "13800000001", "--name", "张一"})["agent"] == "王芳");
  CHECK(Ok(b, "09:20",
           {"reception", "walkin", "--phone", "13900000002", "--name", "赵二"})["agent"] == "李强");
  // An unregistered walk-in (no name) is logged too, with its phone.
  Ok(b, "09:30", {"reception", "walkin", "--phone", "13900000003"});
  for (const std::string& db : {a, b, a, b}) Sync(db);

  json log_a = Ok(a, "18:00", {"reception", "log"});
  json log_b = Ok(b, "18:00", {"reception", "log"});
  CHECK(log_a["totals"]["walk_ins"] == 1);
  CHECK(log_b["totals"]["walk_ins"] == 2);
  CHECK(log_a["by_agent"].contains("王芳"));
  CHECK_FALSE(log_a["by_agent"].contains("李强"));
  CHECK_FALSE(log_b["by_agent"].contains("王芳"));
  // Nothing of the other team reached either tablet: no phone, name, agent or team name.
  std::string state_a = Dump(a), state_b = Dump(b);
  for (const char* secret : {"13900000002", "13900000003", "赵二", "李强", kTeamB}) {
    CHECK_MESSAGE(state_a.find(secret) == std::string::npos, secret);
  }
  for (const char* secret : {"13800000001", "张一", "王芳", kTeamA}) {
    CHECK_MESSAGE(state_b.find(secret) == std::string::npos, secret);
  }

  SUBCASE("a tablet stamping another team's name has its records refused") {
    // Initialised as team B's but syncing with team A's leader token: every record it writes
    // claims team B.
    std::string forged = dir.File("forged.db");
    REQUIRE(Cli(forged, {"init", "--device", "forged", "--agent", "前台", "--team", kTeamB})
                .exit_code == 0);
    REQUIRE(Cli(forged, {"sync", "--server", server.url(), "--token",
                         server.Token("前台", kTeamA, sync::Role::kLeader)})
                .exit_code == 0);
    Ok(forged, "10:00", {"reception", "duty", "王芳"});
    Ok(forged, "10:05", {"reception", "walkin", "--phone", "13700000009"});
    RunResult r = Cli(forged, {"sync"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("is not your team " + std::string(kTeamA) + "'s") != std::string::npos);
    CHECK(r.out.find("refused 0") == std::string::npos);
    Sync(b);
    Sync(a);
    for (const std::string& state : {Dump(a), Dump(b), CanonicalDump(server.storage().store())}) {
      CHECK(state.find("13700000009") == std::string::npos);
    }
    CHECK(Ok(b, "18:00", {"reception", "log"}) == log_b);
  }
  SUBCASE("head office receives both teams' logs") {
    Sync(office);
    json both = Ok(office, "18:00", {"reception", "log"});
    CHECK(both["totals"]["walk_ins"] == 3);
    CHECK(both["by_agent"].contains("王芳"));
    CHECK(both["by_agent"].contains("李强"));
  }
}

}  // namespace
}  // namespace fieldcrm::testing
