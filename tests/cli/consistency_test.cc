// The small promises a user notices: the same spellings everywhere, reports listed, CSV flags,
// commands that say what they did, deal statuses that only move forward, clear words for
// folders and unknown commands.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/cli/tablet.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("list --stage takes the spellings customer add takes") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000", "--stage", "意向"});
  t.Add({"--name", "李娜", "--phone", "13900001111"});
  for (const char* stage : {"意向", "intent", "Intent"}) {
    json listed = t.Json({"customer", "list", "--stage", stage});
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["id"] == id);
  }
}

TEST_CASE("report lists the reports when the name is missing or unknown; CSV both ways") {
  Tablet t;
  t.Add({"--name", "张伟", "--phone", "13800138000"});
  RunResult none = Cli(t.db, {"report"});
  CHECK(none.exit_code == 0);
  CHECK(none.out.find("customers, tiers, funnel") != std::string::npos);
  RunResult unknown = Cli(t.db, {"report", "sales"});
  CheckFails(unknown, "unknown report 'sales'; the reports are customers, tiers");

  RunResult csv = Cli(t.db, {"report", "customers", "--csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.starts_with("\"by_stage\""));
  CHECK(Cli(t.db, {"report", "customers", "--format", "csv"}).out == csv.out);
  RunResult exported = Cli(t.db, {"export", "--csv"});
  CHECK(exported.exit_code == 0);
  CHECK(exported.out == Cli(t.db, {"export", "--format", "csv"}).out);
}

TEST_CASE("followup done and deal set say what they did; deals only move forward") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000"});
  std::string task = Line(Cli(t.db, {"followup", "add", id, "--due", "2026-01-01"}).out);
  RunResult done = Cli(t.db, {"followup", "done", task});
  CHECK(done.exit_code == 0);
  CHECK(done.out == "follow-up " + task + " done\n");

  std::string deal =
      Line(Cli(t.db, {"deal", "add", id, "--unit", "3-1502", "--price", "480万"}).out);
  RunResult signed_deal = Cli(t.db, {"deal", "set", deal, "--status", "签约"});
  CHECK(signed_deal.exit_code == 0);
  CHECK(signed_deal.out == "deal " + deal + " is now signed\n");
  CheckFails(
      Cli(t.db, {"deal", "set", deal, "--status", "reserved"}),
      "deal " + deal + " is signed; it can move to handed-over or cancelled, not to reserved");
  CheckFails(Cli(t.db, {"deal", "set", deal, "--status", "signed"}), "not to signed");
  CHECK(Cli(t.db, {"deal", "set", deal, "--status", "handed-over"}).exit_code == 0);
  CheckFails(Cli(t.db, {"deal", "set", deal, "--status", "cancelled"}), "it cannot move any more");
  CHECK(Cli(t.db, {"customer", "get", id}).out.find("handed-over") != std::string::npos);
}

TEST_CASE("--db on a folder, unknown commands and a missing plugins folder are named") {
  Tablet t;
  CheckFails(Cli(t.dir.path().string(), {"customer", "list"}),
             "is a folder; --db takes a store file");
  RunResult unknown = Cli(t.db, {"custmer", "list"});
  CHECK(unknown.exit_code == 2);
  CHECK_MESSAGE(unknown.err.find("custmer") != std::string::npos, unknown.err);
  RunResult sub = Cli(t.db, {"customer", "frobnicate"});
  CHECK(sub.exit_code == 2);
  CHECK_MESSAGE(sub.err.find("frobnicate") != std::string::npos, sub.err);
  std::string missing = t.dir.File("no-such-folder");
  CheckFails(Cli(t.db, {"plugins", "dir", missing}), "is not a folder");
  CHECK(!std::filesystem::exists(missing));
}

TEST_CASE("the customers report counts a merged customer's move once") {
  Tablet t;
  // Two registrations of one person, each moved to intent, then merged: one move into intent.
  // (Registering is not a move: the prospect stage they were registered with counts nowhere.)
  std::string a = t.Add({"--name", "张伟", "--phone", "13800138000"});
  std::string b = t.Add({"--name", "张伟", "--phone", "13900001111"});
  REQUIRE(Cli(t.db, {"customer", "set", a, "stage=intent"}).exit_code == 0);
  REQUIRE(Cli(t.db, {"customer", "set", b, "stage=intent"}).exit_code == 0);
  REQUIRE(Cli(t.db, {"customer", "merge", a, b}).exit_code == 0);
  json report = t.Json({"report", "customers"});
  json moves;
  for (const json& table : report["tables"]) {
    if (table["name"] == "moves") moves = table["rows"];
  }
  REQUIRE(moves.size() == 1);
  CHECK(moves[0]["stage"] == "intent");
  CHECK(moves[0]["moved_in_period"] == 1);
}

TEST_CASE("token create says where the token went when stdout is not a terminal") {
  TempDir dir;
  std::string hq = dir.File("hq.db");
  RunResult created = Run(
      {FIELDCRM_SERVER, "--db", hq, "token", "create", "--agent", "王芳", "--team", "滨江一组"});
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  CHECK(created.err.find("written to stdout, only this once") != std::string::npos);
  CHECK(created.err.find("shown only this once:") == std::string::npos);
  CHECK(Line(created.out).size() > 20);
}

}  // namespace
}  // namespace fieldcrm::testing
