// Two reception tablets at one sales office, each offline for a while, syncing through a real
// server: the rotation plugin's reception records merge like every record, so both tablets end
// with one log and one queue.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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
  REQUIRE_MESSAGE(r.out.find("refused 0") != std::string::npos, r.out);
}

TEST_CASE("two reception tablets that received walk-ins offline converge on one log and queue") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string a = dir.File("front-desk.db"), b = dir.File("show-flat.db");
  for (const auto& [db, device] : {std::pair{a, "front-desk"}, std::pair{b, "show-flat"}}) {
    REQUIRE(
        Cli(db, {"init", "--device", device, "--agent", "前台", "--team", "滨江一组"}).exit_code ==
        0);
    // Reception records hang under no customer, so the server takes them for global records,
    // which only head office's role may write; and a reception tablet registers walk-ins for
    // other agents, which only head office may credit. So the reception tablets sync as the
    // sales office (team-scoped reception records for agent tokens: not supported yet).
    REQUIRE(Cli(db, {"sync", "--server", server.url(), "--token",
                     server.Token("前台", "滨江一组", sync::Role::kOffice)})
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

}  // namespace
}  // namespace fieldcrm::testing
