// What reaches a person's terminal: control characters escaped, wide cells cut (full values in
// --json), and times in the local time zone with their offset (UTC inside).
#include <doctest/doctest.h>

#include <sstream>

#include "tests/cli/tablet.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

size_t LongestLine(const std::string& text) {
  std::istringstream lines(text);
  size_t longest = 0;
  for (std::string line; std::getline(lines, line);) longest = std::max(longest, line.size());
  return longest;
}

TEST_CASE("escape sequences and bidi controls in names and notes reach the terminal escaped") {
  Tablet t;
  std::string name = "\x1b[2J\x1b[31m张伟\u202egnp.exe";
  std::string id = t.Add({"--name", name, "--phone", "13800138000", "--set", "notes=a\nb\rc"});
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"customer", "list"},
                                             {"customer", "get", id},
                                             {"customer", "find", "--phone", "13800138000"}}) {
    RunResult r = Cli(t.db, args);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find("\u202e") == std::string::npos);
    CHECK(r.out.find("\\x1b[31m张伟\\u202egnp.exe") != std::string::npos);
  }
  CHECK(Cli(t.db, {"customer", "get", id}).out.find("a\\x0ab\\x0dc") != std::string::npos);
  json full = t.Json({"customer", "get", id});  // scripts get the value as stored
  CHECK(full["name"] == name);
  CHECK(full["notes"] == "a\nb\rc");
}

TEST_CASE("a 5,000-character name does not widen every row; --json keeps it whole") {
  Tablet t;
  std::string long_name;
  for (int i = 0; i < 5000; ++i) long_name += "长";
  t.Add({"--name", long_name, "--phone", "13800138000"});
  t.Add({"--name", "李娜", "--phone", "13900001111"});
  RunResult list = Cli(t.db, {"customer", "list"});
  CHECK(list.exit_code == 0);
  CHECK(LongestLine(list.out) < 400);  // bytes: every cell is at most 40 columns
  CHECK(list.out.find("长长…") != std::string::npos);
  json all = t.Json({"customer", "list"});
  CHECK((all[0]["name"] == long_name || all[1]["name"] == long_name));
}

TEST_CASE("follow-up and alert times in the local time zone; local times in; UTC inside") {
  TimeZone shanghai("Asia/Shanghai");
  Tablet t;
  std::string id =
      t.Add({"--name", "张伟", "--phone", "13800138000", "--set", "birthday=1990-06-20"});
  RunResult added =
      Cli(t.db, {"followup", "add", id, "--due", "2026-06-13 09:30", "--note", "回访"});
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  json tasks = t.Json({"followup", "list"});
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["due"] == "2026-06-13T01:30:00Z");  // stored in UTC
  RunResult shown = Cli(t.db, {"followup", "list"});
  CHECK(shown.out.find("2026-06-13 09:30 +08:00") != std::string::npos);
  CHECK(Cli(t.db, {"customer", "get", id}).out.find("2026-06-13 09:30 +08:00") !=
        std::string::npos);

  // The shown form and an explicit offset are read back as the same instant.
  std::string again =
      Line(Cli(t.db, {"followup", "add", id, "--due", "2026-06-13 09:30 +08:00"}).out);
  std::string utc = Line(Cli(t.db, {"followup", "add", id, "--due", "2026-06-13T01:30Z"}).out);
  for (const json& task : t.Json({"followup", "list"}))
    CHECK(task["due"] == "2026-06-13T01:30:00Z");

  // The birthday alert is due at local midnight a week before, shown as such.
  RunResult alerts = Cli(t.db, {"--as-of", "2026-06-14 12:00", "alerts"});
  REQUIRE_MESSAGE(alerts.exit_code == 0, alerts.err);
  CHECK_MESSAGE(alerts.out.find("+08:00  birthday") != std::string::npos, alerts.out);
}

}  // namespace
}  // namespace fieldcrm::testing
