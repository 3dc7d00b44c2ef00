// Plugins and sync together, through the real binaries and a real server: a referral reward is
// granted exactly once although two tablets both see the referee's deal signed, and head
// office's tier rules reach a tablet at its next sync.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

std::string Ok(const std::string& db, const std::vector<std::string>& args) {
  RunResult r = Cli(db, args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return Line(r.out);
}

TEST_CASE("two tablets observe one signed deal: one reward, everywhere") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string a = dir.File("a.db"), b = dir.File("b.db");
  std::string token_a = server.Token("王芳", "滨江一组");
  std::string token_b = server.Token("李强", "滨江一组");
  Ok(a, {"init", "--device", "booth-a", "--agent", "王芳", "--team", "滨江一组"});
  Ok(b, {"init", "--device", "booth-b", "--agent", "李强", "--team", "滨江一组"});

  std::string owner =
      Ok(a, {"customer", "add", "--name", "张伟", "--phone", "13800138000", "--stage", "owner"});
  std::string buyer = Ok(a, {"customer", "add", "--name", "李娜", "--phone", "13900001111"});
  Ok(a, {"referral", "add", owner, buyer});
  std::string deal = Ok(a, {"deal", "add", buyer, "--unit", "5-801", "--price", "300万"});
  Ok(a, {"sync", "--server", server.url(), "--token", token_a});
  Ok(b, {"sync", "--server", server.url(), "--token", token_b});

  // Offline, both agents record the signing (the same fact, seen twice).
  Ok(a, {"deal", "set", deal, "--status", "signed"});
  Ok(b, {"deal", "set", deal, "--status", "signed"});
  for (const std::string& db : {a, b, a, b}) Ok(db, {"sync"});

  for (const std::string& db : {a, b}) {
    CAPTURE(db);
    json rewards = json::parse(Ok(db, {"--json", "referral", "rewards"}));
    REQUIRE(rewards.size() == 1);
    CHECK(rewards[0]["deal"] == deal);
    json board = json::parse(Ok(db, {"--json", "referral", "leaderboard"}));
    REQUIRE(board.size() == 1);
    CHECK(board[0]["rewards"] == 1);
  }
  CHECK(server.storage().ListDevices().size() == 2);
}

TEST_CASE("tier rules set at head office reach a tablet at its next sync") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string office = dir.File("office.db"), tablet = dir.File("tablet.db");
  Ok(office, {"init", "--device", "hq-desk"});
  Ok(tablet, {"init", "--device", "booth-a", "--agent", "王芳", "--team", "滨江一组"});
  std::string office_token = server.Token("总部", "", sync::Role::kOffice);
  std::string tablet_token = server.Token("王芳", "滨江一组");
  std::string id = Ok(tablet, {"customer", "add", "--name", "张伟", "--phone", "13800138000",
                               "--budget", "800万", "--stage", "owner"});
  const std::vector<std::string> as_of = {"--as-of", "2026-06-15T12:00+08:00"};
  auto tier = [&](const std::string& db) {
    std::vector<std::string> args = as_of;
    args.insert(args.end(), {"--json", "customer", "get", id});
    return json::parse(Ok(db, args))["tier"].get<std::string>();
  };
  Ok(tablet, {"sync", "--server", server.url(), "--token", tablet_token});
  Ok(office, {"sync", "--server", server.url(), "--token", office_token});
  std::string before = tier(tablet);
  CHECK(before != "D");
  CHECK(tier(office) == before);

  // Head office makes every grade unreachable but D.
  Ok(office, {"plugins", "config", "tiering", R"({"thresholds": {"A": 100, "B": 99.5, "C": 99}})"});
  CHECK(tier(office) == "D");
  CHECK(tier(tablet) == before);  // not synced yet
  Ok(office, {"sync"});
  Ok(tablet, {"sync"});
  CHECK(tier(tablet) == "D");
}

}  // namespace
}  // namespace fieldcrm::testing
