// Numbers, dates and text as agents type them: one amount parser, every numeric field
// range-checked, Excel's dates, phone extensions, text that is not UTF-8.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/cli/tablet.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("amounts as people write them, in customer add, customer set, deal add and CSV") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000", "--budget", "350万元"});
  CHECK(t.Json({"customer", "get", id})["budget"] == 3500000);
  for (const auto& [text, cny] :
       std::vector<std::pair<std::string, int64_t>>{{"1.2亿", 120000000},
                                                    {"3,500,000", 3500000},
                                                    {"350 万", 3500000},
                                                    {"350w", 3500000},
                                                    {"¥2,800,000", 2800000},
                                                    {"３５０万", 3500000},
                                                    {"0", 0}}) {
    CAPTURE(text);
    REQUIRE(Cli(t.db, {"customer", "set", id, "budget=" + text}).exit_code == 0);
    CHECK(t.Json({"customer", "get", id})["budget"] == cny);
  }
  RunResult deal = Cli(t.db, {"deal", "add", id, "--unit", "3-1502", "--price", "480万元"});
  REQUIRE_MESSAGE(deal.exit_code == 0, deal.err);
  std::string csv = t.dir.File("budgets.csv");
  std::ofstream(csv) << "姓名,电话,预算\n李娜,13900001111,\"1,200万\"\n";
  REQUIRE(Cli(t.db, {"import", csv}).exit_code == 0);
  CHECK(t.Json({"customer", "find", "--phone", "13900001111"})["budget"] == 12000000);
}

TEST_CASE("numbers that would wrap, nan and inf are refused in every way in") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000", "--budget", "300万"});
  std::string before = t.Export();
  for (const std::string& bad : std::vector<std::string>{"99999999999999999999", "nan", "inf", "-5",
                                                         "1e9", "1.2.3", "2万亿", "万"}) {
    CAPTURE(bad);
    CheckFails(
        Cli(t.db, {"customer", "add", "--name", "x", "--phone", "13900001111", "--budget", bad}),
        "invalid budget '" + bad + "'");
    CheckFails(Cli(t.db, {"customer", "set", id, "budget=" + bad}), "invalid budget");
    CheckFails(Cli(t.db, {"deal", "add", id, "--unit", "1-1", "--price", bad}), "invalid price");
  }
  CheckFails(Cli(t.db, {"customer", "add", "--name", "x", "--phone", "13900001111", "--budget",
                        "99999999999999999999"}),
             "too large");
  CheckFails(Cli(t.db, {"deal", "add", id, "--unit", "1-1", "--price", "0"}),
             "price 0 is out of range");
  CheckFails(Cli(t.db, {"visit", "add", id, "--minutes", "100000"}),
             "minutes 100000 is out of range");
  CheckFails(Cli(t.db, {"visit", "add", id, "--minutes", "-1"}), "minutes -1 is out of range");
  CHECK(t.Export() == before);
  CHECK(t.Json({"customer", "get", id})["budget"] == 3000000);
}

TEST_CASE("dates as Excel and people write them") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000"});
  for (const std::string& text :
       std::vector<std::string>{"1990-01-01", "1990-1-1", "1990/01/01", "1990/1/1", "1990年1月1日",
                                "1990.1.1", "32874", "1990/1/1 0:00"}) {
    CAPTURE(text);
    REQUIRE(Cli(t.db, {"customer", "set", id, "birthday=" + text}).exit_code == 0);
    CHECK(t.Json({"customer", "get", id})["birthday"] == "1990-01-01");
  }
  CheckFails(Cli(t.db, {"customer", "set", id, "birthday=1990-02-30"}), "invalid birthday");
  CheckFails(Cli(t.db, {"customer", "set", id, "birthday=yesterday"}), "invalid birthday");
  CheckFails(Cli(t.db, {"customer", "set", id, "birthday=12"}), "invalid birthday");
}

TEST_CASE("a phone number with an extension is refused, not cut") {
  Tablet t;
  CheckFails(
      Cli(t.db, {"customer", "add", "--name", "前台", "--phone", "+86 571 8888 8888 ext. 123"}),
      "has an extension (123)");
  CHECK(t.Json({"customer", "list"}).empty());
}

TEST_CASE("text that is not UTF-8 is refused naming the field") {
  Tablet t;
  std::string id = t.Add({"--name", "张伟", "--phone", "13800138000"});
  CheckFails(Cli(t.db, {"customer", "add", "--name", "\xd5\xc5\xce\xb0", "--phone", "13900001111"}),
             "'name' is not valid UTF-8 text");
  CheckFails(Cli(t.db, {"customer", "set", id, "notes=\xff"}), "'notes' is not valid UTF-8 text");
  CheckFails(Cli(t.db, {"visit", "add", id, "--note", "\xc3"}), "'note' is not valid UTF-8 text");
  CHECK(t.Json({"customer", "list"}).size() == 1);
}

}  // namespace
}  // namespace fieldcrm::testing
