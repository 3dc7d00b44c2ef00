// The plugin commands of the real fieldcrm binary, end to end on a real store file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/plugins/plugin_world.h"
#include "tests/support/run.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

const std::string kAt = "--as-of=2026-06-15T12:00Z";

struct Tablet {
  TempDir dir;
  std::string db = dir.File("tablet.db");
  std::string big, small;

  Tablet() {
    Cli(db, {"init", "--device", "booth", "--agent", "王芳", "--team", "滨江一组"});
    big = Line(Cli(db, {"customer", "add", "--name", "张伟", "--phone", "13800138000", "--budget",
                        "800万", "--stage", "owner", "--set", "created_at=2026-06-01"})
                   .out);
    small = Line(Cli(db, {"customer", "add", "--name", "李娜", "--phone", "13900001111", "--set",
                          "created_at=2025-12-01"})
                     .out);
    for (const char* at :
         {"2026-06-10T10:00Z", "2026-06-11T10:00Z", "2026-06-12T10:00Z", "2026-06-13T10:00Z"}) {
      Cli(db, {"visit", "add", big, "--at", at});
    }
  }
};

TEST_CASE("customer get --json shows the tier; list --tier filters; tier explain says why") {
  Tablet t;
  json got = json::parse(Cli(t.db, {"--json", kAt, "customer", "get", t.big}).out);
  CHECK(got["tier"] == "A");
  CHECK(got["segment"] == "core");
  CHECK(got["rfm"]["r"] == 5);

  RunResult listed = Cli(t.db, {"--json", kAt, "customer", "list", "--tier", "a"});
  REQUIRE(listed.exit_code == 0);
  json only_a = json::parse(listed.out);
  REQUIRE(only_a.size() == 1);
  CHECK(only_a[0]["id"] == t.big);
  CHECK(json::parse(Cli(t.db, {"--json", kAt, "customer", "list", "--tier", "D"}).out)[0]["id"] ==
        t.small);

  RunResult explained = Cli(t.db, {kAt, "tier", "explain", t.small});
  CHECK(explained.exit_code == 0);
  CHECK(explained.out.find("tier D (score") != std::string::npos);
  CHECK(explained.out.find("budget") != std::string::npos);
  CHECK(explained.out.find("thresholds: A ≥ 70") != std::string::npos);

  RunResult bad = Cli(t.db, {"customer", "list", "--tier", "E"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "fieldcrm: error: invalid tier 'E' (expected one of: A, B, C, D)\n");
}

TEST_CASE("tier explain prints any conforming explanation and says clearly when one is not") {
  Tablet t;
  TempDir folder;
  for (const char* name : {"minor_zero", "odd_explanation"}) {
    std::filesystem::copy_file(std::string(FIXTURE_PLUGIN_DIR) + "/" + name + ".so",
                               folder.File(std::string(name) + ".so"));
  }
  const std::string plugins = "--plugins=" + folder.path().string();
  RunResult conforming = Cli(t.db, {plugins, kAt, "tier", "explain", t.big});
  CHECK(conforming.exit_code == 0);
  CHECK(conforming.out.find("by plugin budget-tiers") != std::string::npos);
  CHECK(conforming.out.find("tier A from 5000000 CNY") != std::string::npos);
  CHECK(conforming.err.find("fieldcrm: plugin 'budget-tiers': tier A from 5000000 CNY") !=
        std::string::npos);  // its log line, through the host
  RunResult listed = Cli(t.db, {plugins, "plugins", "list"});
  CHECK(listed.out.find("standby") != std::string::npos);
  CHECK(listed.err.find("fieldcrm: warning: plugin 'odd-explanation' stands by: 'budget-tiers' "
                        "(minor_zero.so) is the active tiering plugin (the first usable one by "
                        "file name)\n") != std::string::npos);

  // With the odd one first in line, its explanation cannot be shown as a table: it says why.
  std::filesystem::remove(folder.File("minor_zero.so"));
  RunResult odd = Cli(t.db, {plugins, kAt, "tier", "explain", t.big});
  CHECK(odd.exit_code == 0);
  CHECK(odd.out.find("tier B") != std::string::npos);
  CHECK(odd.out.find("\"why\"") != std::string::npos);
  CHECK(odd.err ==
        "fieldcrm: warning: plugin 'odd-explanation' explains its grades in a shape tier explain "
        "cannot show (the explanation has no \"factors\" array); its explanation as given:\n");
  CHECK(json::parse(Cli(t.db, {plugins, kAt, "--json", "tier", "explain", t.big})
                        .out)["explanation"]["why"] == json::array({"budget", "visits"}));
}

TEST_CASE("plugins list shows loaded and refused plugins; tiers need a tiering plugin") {
  Tablet t;
  RunResult listed = Cli(t.db, {"plugins", "list"});
  CHECK(listed.exit_code == 0);
  for (const char* name : {"tiering", "referral", "surveys", "alerts"}) {
    CHECK(listed.out.find(name) != std::string::npos);
  }
  TempDir folder;
  std::filesystem::copy_file(std::string(FIXTURE_PLUGIN_DIR) + "/wrong_version.so",
                             folder.File("wrong_version.so"));
  std::ofstream(folder.File("junk.so")) << "junk";
  RunResult refused = Cli(t.db, {"--plugins", folder.path().string(), "--json", "plugins", "list"});
  CHECK(refused.exit_code == 0);
  json states = json::parse(refused.out)["plugins"];
  REQUIRE(states.size() == 2);
  CHECK(states[1]["state"] == "refused");
  CHECK(states[1]["reason"].get<std::string>().find("built for plugin API 99.0") !=
        std::string::npos);

  // The store still works without any usable plugin; asking for tiers says what is missing.
  RunResult plain = Cli(t.db, {"--plugins", folder.path().string(), "customer", "get", t.big});
  CHECK(plain.exit_code == 0);
  RunResult no_tiers =
      Cli(t.db, {"--plugins", folder.path().string(), "customer", "list", "--tier", "A"});
  CHECK(no_tiers.exit_code == 1);
  CHECK(no_tiers.err.find("no usable tiering plugin in " + folder.path().string()) !=
        std::string::npos);

  // The folder can be set per store.
  CHECK(Line(Cli(t.db, {"plugins", "dir", folder.path().string()}).out) == folder.path().string());
  CHECK(Cli(t.db, {"customer", "list", "--tier", "A"}).exit_code == 1);
  Cli(t.db, {"plugins", "dir", ""});
  CHECK(Cli(t.db, {"customer", "list", "--tier", "A"}).exit_code == 0);
}

TEST_CASE("plugins config validates, stores and shows the effective config") {
  Tablet t;
  RunResult rejected = Cli(t.db, {"plugins", "config", "tiering", R"({"thresholds": {"A": 5}})"});
  CHECK(rejected.exit_code == 1);
  CHECK(rejected.err ==
        "fieldcrm: error: plugin 'tiering' rejected its config: thresholds must fall from A to B "
        "to C\n");
  CHECK(Cli(t.db, {"plugins", "config", "tiering", "{not json"}).exit_code == 1);
  RunResult set =
      Cli(t.db, {"plugins", "config", "tiering", R"({"thresholds": {"A": 90, "B": 80, "C": 70}})"});
  CHECK(set.exit_code == 0);
  CHECK(json::parse(set.out)["thresholds"]["A"] == 90);
  // 77.5 points: A under the default rules, C under these.
  CHECK(json::parse(Cli(t.db, {"--json", kAt, "customer", "get", t.big}).out)["tier"] == "C");
  CHECK(json::parse(Cli(t.db, {"plugins", "config", "tiering"}).out)["thresholds"]["B"] == 80);
  CHECK(json::parse(
            Cli(t.db, {"plugins", "config", "tiering", "--reset"}).out)["thresholds"]["A"] == 70);
  RunResult unknown = Cli(t.db, {"plugins", "config", "nosuch"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no plugin named 'nosuch'") != std::string::npos);
}

TEST_CASE("a signed deal of a referred customer grants the reward from the command line") {
  Tablet t;
  Cli(t.db, {"referral", "add", t.big, t.small});
  std::string deal =
      Line(Cli(t.db, {"deal", "add", t.small, "--unit", "5-801", "--price", "300万"}).out);
  CHECK(json::parse(Cli(t.db, {"--json", "referral", "rewards"}).out).empty());
  CHECK(Cli(t.db, {"deal", "set", deal, "--status", "签约"}).exit_code == 0);
  json rewards = json::parse(Cli(t.db, {"--json", "referral", "rewards", "--referrer", t.big}).out);
  REQUIRE(rewards.size() == 1);
  CHECK(rewards[0]["points"] == 1000);
  CHECK(rewards[0]["referee_name"] == "李娜");
  json board = json::parse(Cli(t.db, {"--json", "referral", "leaderboard"}).out);
  CHECK(board[0]["name"] == "张伟");
  CHECK(board[0]["rewards"] == 1);
  CHECK(Cli(t.db, {"deal", "set", deal, "--status", "handed-over"}).exit_code == 0);
  CHECK(json::parse(Cli(t.db, {"--json", "referral", "rewards"}).out).size() == 1);
}

TEST_CASE("surveys and alerts from the command line") {
  Tablet t;
  std::ofstream(t.dir.File("survey.json")) << R"({"key": "visit-nps", "title": "到访体验",
    "questions": [{"id": "nps", "type": "nps", "text": "推荐意愿"}]})";
  CHECK(Line(Cli(t.db, {"survey", "define", t.dir.File("survey.json")}).out) == "visit-nps");
  CHECK(Cli(t.db, {"survey", "answer", t.big, "visit-nps", "nps=10"}).exit_code == 0);
  RunResult bad = Cli(t.db, {"survey", "answer", t.big, "visit-nps", "nps=eleven"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("answer to 'nps' must be a whole number from 0 to 10") != std::string::npos);
  json report = json::parse(Cli(t.db, {"--json", "survey", "report", "--by", "agent"}).out);
  CHECK(report["rows"][0]["group"] == "王芳");
  CHECK(report["rows"][0]["nps"] == 100.0);

  json alerts = json::parse(Cli(t.db, {"--json", kAt, "alerts", "--agent", "王芳"}).out);
  std::set<std::string> rules;
  for (const json& a : alerts) rules.insert(a["rule"]);
  CHECK(rules == std::set<std::string>{"visit-followup", "first-response", "churn-risk"});
  RunResult text = Cli(t.db, {kAt, "alerts"});
  CHECK(text.out.find("王芳:") != std::string::npos);
  CHECK(text.out.find("3 alerts due") != std::string::npos);
  CHECK(json::parse(Cli(t.db, {"--json", kAt, "alerts", "--agent", "nobody"}).out).empty());
}

}  // namespace
}  // namespace fieldcrm::testing
