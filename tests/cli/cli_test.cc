// The real fieldcrm binary on real store files, as an agent or a script would use it.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/tablet.h"

using fieldcrm::testing::CheckFails;
using fieldcrm::testing::Cli;
using fieldcrm::testing::Line;
using fieldcrm::testing::RunResult;
using fieldcrm::testing::Tablet;
using nlohmann::json;

TEST_CASE("add prints only the new id; get --json shows the fields under plain names") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "+86 138-0013-8000", "--source", "来访",
                          "--budget", "350万", "--stage", "intent", "--set", "notes=南向三房",
                          "--set", "office.wechat=zw88"});
  CHECK(id.size() == 36);
  json c = t.Json({"customer", "get", id});
  CHECK(c["id"] == id);
  CHECK(c["name"] == "张伟");
  CHECK(c["phone"] == "+8613800138000");
  CHECK(c["stage"] == "intent");
  CHECK(c["source"] == "walk-in");
  CHECK(c["budget"] == 3500000);
  CHECK(c["notes"] == "南向三房");
  CHECK(c["office.wechat"] == "zw88");

  RunResult human = Cli(t.db, {"customer", "get", id});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("张伟") != std::string::npos);
}

TEST_CASE("a duplicate phone returns the existing id and says so") {
  Tablet t;
  std::string id = t.Add({"--name", "李娜", "--phone", "138 0013 8000"});
  RunResult again = Cli(t.db, {"customer", "add", "--name", "李娜", "--phone", "8613800138000"});
  CHECK(again.exit_code == 0);
  CHECK(Line(again.out) == id);
  CHECK(again.err.find("already exists") != std::string::npos);
  CHECK(t.Json({"customer", "list"}).size() == 1);
  CHECK(t.Json({"customer", "find", "--phone", "13800138000"})["id"] == id);
}

TEST_CASE("set, list --stage, merge and delete") {
  Tablet t;
  std::string a = t.Add({"--name", "甲", "--phone", "13600000001"});
  std::string b = t.Add({"--name", "乙", "--phone", "13600000002", "--set", "city=杭州"});
  REQUIRE(Cli(t.db, {"customer", "set", a, "stage=intent", "tags=学区,地铁"}).exit_code == 0);
  json intent = t.Json({"customer", "list", "--stage", "intent"});
  REQUIRE(intent.size() == 1);
  CHECK(intent[0]["id"] == a);
  CHECK(intent[0]["tags"] == json::array({"学区", "地铁"}));

  RunResult merged = Cli(t.db, {"customer", "merge", a, b});
  CHECK(merged.exit_code == 0);
  json c = t.Json({"customer", "get", b});  // the dropped id still resolves
  CHECK(c["id"] == a);
  CHECK(c["city"] == "杭州");
  CHECK(t.Json({"customer", "list"}).size() == 1);

  REQUIRE(Cli(t.db, {"customer", "delete", a}).exit_code == 0);
  CHECK(t.Json({"customer", "list"}).empty());
  CheckFails(Cli(t.db, {"customer", "get", a}), "deleted");
}

TEST_CASE("visits, follow-ups and deals from the command line") {
  Tablet t;
  std::string id = t.Add({"--name", "陈静", "--phone", "13912345678"});
  RunResult visit = Cli(t.db, {"visit", "add", id, "--note", "看样板间", "--at",
                               "2026-11-20T10:00+08:00", "--minutes", "30"});
  CHECK(visit.exit_code == 0);
  CHECK(Cli(t.db, {"contact", "add", id, "--channel", "微信", "--outcome", "周末再来"}).exit_code ==
        0);
  std::string task =
      Line(Cli(t.db, {"followup", "add", id, "--due", "2026-01-01T09:00", "--note", "回访"}).out);
  Cli(t.db, {"followup", "add", id, "--due", "2099-01-01"});
  json overdue = t.Json({"followup", "list", "--overdue"});
  REQUIRE(overdue.size() == 1);
  CHECK(overdue[0]["id"] == task);
  CHECK(overdue[0]["customer_name"] == "陈静");
  CHECK(t.Json({"followup", "list"}).size() == 2);
  CHECK(Cli(t.db, {"followup", "done", task}).exit_code == 0);
  CHECK(t.Json({"followup", "list", "--overdue"}).empty());
  RunResult deal =
      Cli(t.db, {"deal", "add", id, "--unit", "3-1502", "--price", "480万", "--status", "signed"});
  CHECK(deal.exit_code == 0);
  RunResult shown = Cli(t.db, {"customer", "get", id});
  CHECK(shown.out.find("看样板间") != std::string::npos);
  CHECK(shown.out.find("3-1502") != std::string::npos);
}

TEST_CASE("every write is in the change log, one entry per field") {
  Tablet t;
  std::string id = t.Add({"--name", "王磊", "--phone", "13700001111"});
  Cli(t.db, {"customer", "set", id, "city=杭州"});
  json log = t.Json({"log"});
  REQUIRE(log.size() >= 3);
  json last = log.back();
  CHECK(last["record"] == id);
  CHECK(last["field"] == "city");
  CHECK(last["value"] == "杭州");
  CHECK(last["seq"] == log.size());
  CHECK(last["kind"] == "customer");
  CHECK(last["hlc"].get<uint64_t>() > log.front()["hlc"].get<uint64_t>());
}

TEST_CASE("CSV import: a good file is imported and exports back") {
  Tablet t;
  std::string csv = t.dir.File("list.csv");
  std::ofstream(csv) << "姓名,电话,预算\n张伟,13800138000,300万\n李娜,13900001111,\n";
  RunResult r = Cli(t.db, {"import", csv});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("imported 2 customers") != std::string::npos);
  CHECK(t.Json({"customer", "list"}).size() == 2);

  RunResult exported = Cli(t.db, {"export"});
  CHECK(exported.exit_code == 0);
  CHECK(exported.out.find("张伟") != std::string::npos);
}

TEST_CASE("bad input: one clear line on stderr, non-zero exit, store unchanged") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000"});
  std::string before = t.Export();
  CheckFails(Cli(t.db, {"customer", "set", id, "shoe=42"}), "unknown customer field 'shoe'");
  CheckFails(Cli(t.db, {"customer", "add", "--name", "x", "--phone", "12"}),
             "invalid phone number '12'");
  CheckFails(Cli(t.db, {"customer", "get", "01000000-0000-7000-8000-000000000000"}),
             "no customer with id");
  CheckFails(Cli(t.db, {"customer", "set", id, "stage"}), "expected key=value");
  CheckFails(Cli(t.db, {"customer", "list", "--stage", "vip"}), "invalid stage 'vip'");
  CheckFails(Cli(t.db, {"deal", "add", id, "--unit", "1-1", "--price", "abc"}), "invalid price");
  CheckFails(Cli(t.db, {"visit", "add", id, "--at", "yesterday"}), "invalid --at");
  CheckFails(Cli(t.db, {"import", t.dir.File("missing.csv")}), "cannot read");
  CHECK(t.Export() == before);

  std::string notes = t.dir.File("notes.txt");
  std::ofstream(notes) << "shopping list: rice, tea, and a very long line to fill a page\n";
  CheckFails(Cli(notes, {"customer", "list"}), "not a fieldcrm store");
  CheckFails(Cli(t.dir.File("nope.db"), {"customer", "list"}), "no store at");
  CheckFails(Cli(t.db, {"init", "--device", "again"}), "already exists");
  RunResult usage = Cli(t.db, {"customer", "frobnicate"});
  CHECK(usage.exit_code == 2);
}
