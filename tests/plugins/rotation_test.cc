// Walk-in rotation (来访轮流接待) end to end: the real fieldcrm binary on a real store file, the
// real rotation plugin (plugins/rotation, built only against the SDK), in-process and isolated in
// its own plugin-host process.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fieldcrm/application/reception.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/plugins/plugin_world.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

struct Office {
  TempDir dir;
  std::string db = dir.File("reception.db");
  std::string isolation;  // --plugin-isolation=...

  explicit Office(std::string how = "none") : isolation("--plugin-isolation=" + how) {
    Cli(db, {"init", "--device", "reception-1", "--agent", "前台", "--team", "滨江一组"});
  }
  // The command at a fixed time of 2026-06-15 (UTC+8 in the tests' TZ or not, one day).
  RunResult At(const std::string& time, std::vector<std::string> args) {
    args.insert(args.begin(), {isolation, "--as-of=2026-06-15T" + time + "+08:00"});
    return Cli(db, args);
  }
  json Ok(const std::string& time, std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    RunResult r = At(time, args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return json::parse(r.out);
  }
  json WalkIn(const std::string& time, const std::string& phone, const std::string& name,
              const std::string& source = "来访") {
    std::vector<std::string> args = {"reception", "walkin", "--phone", phone, "--name", name};
    if (!source.empty()) args.insert(args.end(), {"--source", source});
    return Ok(time, args);
  }
};

void CheckRotation(Office& office) {
  json queue = office.Ok("09:00", {"reception", "duty", "王芳", "李强", "赵敏"});
  CHECK(queue["order"] == json({"王芳", "李强", "赵敏"}));

  // Turns in order; each agent received goes to the back and is busy.
  json first = office.WalkIn("09:10", "13800000001", "张一");
  CHECK(first["agent"] == "王芳");
  CHECK(first["reason"] == "turn");
  CHECK(first["returning"] == false);
  CHECK(first["registered"] == true);
  json second = office.WalkIn("09:20", "13800000002", "张二", "老带新");
  CHECK(second["agent"] == "李强");

  // 王芳 finishes; 赵敏 is next, then 王芳 again (李强 is still busy, 王芳 came round).
  office.Ok("09:30", {"reception", "done", "王芳"});
  CHECK(office.WalkIn("09:40", "13800000003", "张三")["agent"] == "赵敏");
  office.Ok("09:45", {"reception", "done", "赵敏"});
  CHECK(office.WalkIn("09:50", "13800000004", "张四")["agent"] == "王芳");

  // 李强's turn, but he is with a customer: skipped, and he keeps his place at the front.
  json fifth = office.WalkIn("09:55", "13800000005", "张五");
  CHECK(fifth["agent"] == "赵敏");
  CHECK(fifth["skipped"] == json({"李强"}));
  CHECK(office.Ok("09:56", {"reception", "queue"})["order"] == json({"李强", "王芳", "赵敏"}));

  // 李强 is back: it is his turn.
  office.Ok("10:00", {"reception", "done", "李强"});
  CHECK(office.WalkIn("10:05", "13800000006", "张六")["agent"] == "李强");

  // A returning customer goes to the agent who registered them, without using a turn.
  office.Ok("10:10", {"reception", "done", "王芳"});
  json back = office.WalkIn("10:20", "138-0000-0002", "", "");
  CHECK(back["agent"] == "李强");
  CHECK(back["reason"] == "returning");
  CHECK(back["returning"] == true);
  CHECK(back["waiting"] == true);  // 李强 is still with 张六
  CHECK(office.Ok("10:21", {"reception", "queue"})["order"] == json({"王芳", "赵敏", "李强"}));

  // The evening meeting's log.
  json log = office.Ok("18:00", {"reception", "log"});
  CHECK(log["day"] == "2026-06-15");
  CHECK(log["totals"] == json({{"walk_ins", 7}, {"new", 6}, {"returning", 1}}));
  CHECK(log["by_agent"]["李强"] == json({{"new", 2}, {"returning", 1}, {"total", 3}}));
  CHECK(log["by_source"]["referral"] == 2);  // the returning customer's source is on record
  CHECK(log["walk_ins"][6]["name"] == "张二");
  CHECK(log["walk_ins"][6]["phone"] == "+8613800000002");
}

TEST_CASE("walk-ins go in turn, busy agents keep their place, returning customers to their agent") {
  Office office;
  CheckRotation(office);

  // The registered walk-ins are the receiving agents' customers.
  json customers =
      json::parse(Cli(office.db, {"--json", "customer", "list", "--agent", "赵敏"}).out);
  REQUIRE(customers.size() == 2);
  CHECK(customers[0]["name"] == "张三");
  CHECK(customers[0]["source"] == "walk-in");

  // Another day starts without a duty list; the log of the first day stays.
  RunResult next_day = Cli(office.db, {"--as-of=2026-06-16T09:00+08:00", "reception", "walkin",
                                       "--phone", "13800000009", "--name", "钱九"});
  CHECK(next_day.exit_code == 1);
  CHECK(next_day.err.find("nobody is on duty today") != std::string::npos);
  RunResult text = Cli(office.db, {"reception", "log", "--date", "2026-06-15"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("7 walk-ins: 6 new, 1 returning") != std::string::npos);
}

TEST_CASE("reception refuses bad input with a clear error and writes nothing") {
  Office office;
  office.Ok("09:00", {"reception", "duty", "王芳"});
  RunResult bad_phone = office.At("09:05", {"reception", "walkin", "--phone", "12", "--name", "x"});
  CHECK(bad_phone.exit_code == 1);
  CHECK(bad_phone.err.find("12") != std::string::npos);
  RunResult bad_source = office.At("09:05", {"reception", "walkin", "--phone", "13800000001",
                                             "--name", "张一", "--source", "路过"});
  CHECK(bad_source.exit_code == 1);
  CHECK(bad_source.err.find("invalid source '路过'") != std::string::npos);
  RunResult not_busy = office.At("09:06", {"reception", "done", "王芳"});
  CHECK(not_busy.exit_code == 1);
  CHECK(not_busy.err.find("王芳 is not with a customer") != std::string::npos);
  CHECK(office.Ok("09:07", {"reception", "log"})["totals"]["walk_ins"] == 0);
  CHECK(Cli(office.db, {"reception", "walkin"}).exit_code == 2);  // --phone is required
}

TEST_CASE("a walk-in and the customer it registers are written together or not at all") {
  Office office;
  office.Ok("09:00", {"reception", "duty", "王芳", "李强"});
  SessionOptions options;
  options.db_path = office.db;
  options.plugins_dir = BuiltinPlugins();
  options.as_of_ms = ParseTime("2026-06-15T09:10+08:00", "as-of");
  options.allow_unsigned_plugins = true;
  Session session(options);
  Reception reception(session);
  Store& store = session.store();
  auto walk_ins = [&] {
    std::vector<json> found;
    for (json& record : LiveRecords(store, "reception")) {
      if (record["event"] == "walkin") found.push_back(std::move(record));
    }
    return found;
  };
  const WalkIn visitor{"138 0000 0001", "张一", "来访"};

  // The customer's write fails after the plugin's walk-in record was written (the disk filled up,
  // the tablet lost power): a real SQLite error from the store's own connection.
  StoreDatabase(store).Exec(
      "CREATE TEMP TRIGGER fail_customer BEFORE INSERT ON log WHEN NEW.kind = 'customer' "
      "BEGIN SELECT RAISE(ABORT, 'injected: disk full'); END");
  CHECK_THROWS_WITH(reception.Receive(visitor), doctest::Contains("injected: disk full"));
  CHECK(walk_ins().empty());
  CHECK(Customers(store).List({}).empty());

  // The receptionist tries again: one walk-in, one customer, linked, and 王芳 still had her turn.
  StoreDatabase(store).Exec("DROP TRIGGER fail_customer");
  WalkInOutcome retried = reception.Receive(visitor);
  CHECK(retried.registered);
  CHECK(retried.decision["agent"] == "王芳");
  std::vector<json> logged = walk_ins();
  REQUIRE(logged.size() == 1);
  CHECK(logged[0]["customer"] == retried.customer);
  std::vector<json> customers = Customers(store).List({});
  REQUIRE(customers.size() == 1);
  CHECK(customers[0]["agent"] == "王芳");
  session.Close();
  json log = office.Ok("18:00", {"reception", "log"});
  CHECK(log["totals"] == json({{"walk_ins", 1}, {"new", 1}, {"returning", 0}}));
  CHECK(office.Ok("18:00", {"reception", "queue"})["order"] == json({"李强", "王芳"}));
}

TEST_CASE("the rotation plugin gives the same answers isolated in its own process") {
  Office office("all");
  CheckRotation(office);
  RunResult listed = Cli(office.db, {"--plugin-isolation=all", "--json", "plugins", "list"});
  json rotation, states = json::parse(listed.out);
  for (const json& plugin : states["plugins"]) {
    if (plugin.value("name", "") == "rotation") rotation = plugin;
  }
  CHECK(rotation.value("isolated", false));
}

}  // namespace
}  // namespace fieldcrm::testing
