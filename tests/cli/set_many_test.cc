// customer set-many: a script's batch of edits, all or nothing, through the write path of
// customer set (the same log entries, so they sync alike: tests/sync/cli_test.cc).
#include <doctest/doctest.h>

#include <fstream>

#include "tests/cli/tablet.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST_CASE("set-many applies JSON lines and CSV edits by id or phone in one go") {
  Tablet t;
  std::string zhang = t.Add({"--name", "张伟", "--phone", "13800138000", "--budget", "300万"});
  std::string li = t.Add({"--name", "李娜", "--phone", "13900001111", "--stage", "intent"});
  std::string jsonl = t.dir.File("edits.jsonl");
  Write(jsonl, "{\"id\": \"" + zhang + "\", \"stage\": \"意向\", \"budget\": 4000000}\n\n" +
                   "{\"phone\": \"139 0000 1111\", \"budget\": \"500万\", \"notes\": \"VIP\"}\n" +
                   "{\"id\": \"" + zhang + "\", \"budget\": null}\n");
  RunResult r = Cli(t.db, {"customer", "set-many", jsonl});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(Line(r.out) == "set 3 customers");
  auto by_name = ByName(t.Json({"customer", "list"}));
  CHECK(by_name["张伟"]["stage"] == "intent");
  CHECK_FALSE(by_name["张伟"].contains("budget"));  // the later line cleared it
  CHECK(by_name["李娜"]["budget"] == 5000000);
  CHECK(by_name["李娜"]["notes"] == "VIP");

  std::string csv = t.dir.File("edits.csv");
  Write(csv, "phone,stage,notes\r\n13800138000,buyer,\r\n+8613900001111,,call back\r\n");
  r = Cli(t.db, {"--json", "customer", "set-many", csv});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(json::parse(r.out)["customers"] == 2);
  by_name = ByName(t.Json({"customer", "list"}));
  CHECK(by_name["张伟"]["stage"] == "buyer");
  CHECK_FALSE(by_name["张伟"].contains("notes"));  // an empty cell leaves the field alone
  CHECK(by_name["李娜"]["stage"] == "intent");
  CHECK(by_name["李娜"]["notes"] == "call back");
  // The same log entries a customer set writes: one change per field, by this device.
  json log = t.Json({"log"});
  size_t budget_changes = 0;
  for (const json& entry : log) budget_changes += entry.value("field", "") == "budget";
  CHECK(budget_changes == 4);  // 张伟 added with one, then three edits
}

TEST_CASE("set-many refuses a bad line naming it, and writes nothing of the batch") {
  Tablet t;
  std::string zhang = t.Add({"--name", "张伟", "--phone", "13800138000"});
  t.Add({"--name", "李娜", "--phone", "13900001111"});
  std::string before = t.Export();
  size_t log_before = t.Json({"log"}).size();
  struct Case {
    std::string file, text, message;
  };
  for (const Case& c : std::vector<Case>{
           {"a.jsonl",
            "{\"id\": \"" + zhang + "\", \"stage\": \"buyer\"}\n{\"id\": \"" + zhang +
                "\", \"budget\": \"lots\"}\n",
            "line 2: "},
           {"b.jsonl",
            "{\"id\": \"" + zhang + "\", \"stage\": \"buyer\"}\n{\"stage\": \"owner\"}\n",
            "line 2: name the customer with \"id\" or \"phone\""},
           {"c.jsonl", "{\"id\": \"" + zhang + "\", \"stage\": \"buyer\"}\nnot json\n",
            "line 2 is not valid JSON"},
           {"d.csv", "phone,stage\n13800138000,buyer\n13700000000,owner\n",
            "row 3: no customer with phone '13700000000'"},
           {"e.csv", "id,stage\n" + zhang + ",buyer\n" + zhang + ",owner,extra\n",
            "row 3: 3 cells under a header of 2"},
           {"f.jsonl",
            "{\"id\": \"" + zhang + "\", \"stage\": \"buyer\"}\n{\"id\": \"" + zhang +
                "\", \"phone\": \"13900001111\"}\n",
            "line 2: phone +8613900001111 already belongs to customer"},
           {"g.jsonl", "{\"id\": \"" + zhang + "\", \"updated_at\": \"x\"}\n",
            "line 1: customer field 'updated_at' is maintained by fieldcrm"},
           {"h.csv", "stage\nbuyer\n", "row 1: the header needs an \"id\" or \"phone\" column"},
           {"i.jsonl", "\n\n", "holds no edits"},
       }) {
    CAPTURE(c.file);
    Write(t.dir.File(c.file), c.text);
    CheckFails(Cli(t.db, {"customer", "set-many", t.dir.File(c.file)}), c.message);
  }
  CheckFails(Cli(t.db, {"customer", "set-many", t.dir.File("missing.csv")}), "cannot read");
  CHECK(t.Export() == before);
  CHECK(t.Json({"log"}).size() == log_before);
}

TEST_CASE("set-many writes thousands of customers in one transaction") {
  Tablet t;
  std::string csv = "name,phone\n";
  for (int i = 0; i < 2500; ++i)
    csv += "客户" + std::to_string(i) + ",1380000" + std::to_string(1000 + i) + "\n";
  Write(t.dir.File("people.csv"), csv);
  REQUIRE(Cli(t.db, {"import", t.dir.File("people.csv"), "--quiet"}).exit_code == 0);
  std::string edits;
  for (int i = 0; i < 2500; ++i) {
    edits += "{\"phone\": \"1380000" + std::to_string(1000 + i) + "\", \"stage\": \"buyer\"}\n";
  }
  Write(t.dir.File("edits.jsonl"), edits);
  RunResult r = Cli(t.db, {"customer", "set-many", t.dir.File("edits.jsonl")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(Line(r.out) == "set 2500 customers");
  json buyers = t.Json({"customer", "list", "--stage", "buyer"});
  CHECK(buyers.size() == 2500);
}

}  // namespace
}  // namespace fieldcrm::testing
