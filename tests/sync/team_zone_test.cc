// Each team's time zone on a real fieldcrm-server process: head office sets it with
// `fieldcrm-server teams zone` (an unknown zone is refused and changes nothing), and a team's
// report reads its dates in it, so one visit near midnight falls on different days for two teams
// 8 hours apart; the whole company's reports use head office's zone (the server's TZ).
#include <doctest/doctest.h>
#include <httplib.h>

#include <cstdlib>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/reports/reports.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr const char* kShanghaiTeam = "滨江一组";  // Asia/Shanghai, UTC+8
constexpr const char* kLondonTeam = "伦敦组";      // Europe/London, UTC+0 in November
// 04:00 on 21 November in Shanghai, 20:00 on 20 November in London.
constexpr const char* kVisitAt = "2026-11-20T20:00:00Z";

TEST_CASE("teams zone: a team's days begin at its own midnight") {
  setenv("TZ", "Asia/Shanghai", 1);  // head office's zone, as the server process inherits it
  TempDir dir;
  std::string db = dir.File("server.db");
  std::string shanghai_token =
      Line(Server(db, {"token", "create", "--agent", "王芳", "--team", kShanghaiTeam}).out);
  std::string london_token =
      Line(Server(db, {"token", "create", "--agent", "Tom", "--team", kLondonTeam}).out);
  std::string office =
      Line(Server(db, {"token", "create", "--agent", "总部", "--role", "office"}).out);

  RunResult unknown = Server(db, {"teams", "zone", kLondonTeam, "Europe/Lodnon"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("unknown time zone 'Europe/Lodnon'") != std::string::npos);
  RunResult set = Server(db, {"teams", "zone", kLondonTeam, "Europe/London"});
  REQUIRE_MESSAGE(set.exit_code == 0, set.err);
  RunResult zones = Server(db, {"--json", "teams", "zones"});
  REQUIRE_MESSAGE(zones.exit_code == 0, zones.err);
  CHECK(json::parse(zones.out) ==
        json{{{"team", "(head office, and teams without one)"}, {"zone", "Asia/Shanghai"}},
             {{"team", kLondonTeam}, {"zone", "Europe/London"}}});

  ServerProcess server(db, dir.File("server.log"), {"--insecure-http"});
  for (auto [agent, team, token, phone] :
       {std::tuple{"王芳", kShanghaiTeam, shanghai_token, "13800138000"},
        std::tuple{"Tom", kLondonTeam, london_token, "13900139000"}}) {
    auto tablet = NewTablet(dir.File(std::string(phone) + ".db"), agent, team);
    std::string id = Customers(*tablet).Add({{"name", agent}, {"phone", phone}}).id;
    Activities(*tablet).AddInteraction(id, {.type = "visit", .at_ms = ParseTime(kVisitAt, "at")});
    SyncWith(*tablet, server.url(), token);
  }

  httplib::Client http(server.url());
  auto funnel = [&](const std::string& team, const std::string& day) {
    httplib::Params params = {{"from", day}, {"to", day}};
    if (!team.empty()) params.emplace("team", team);
    auto res = http.Get("/v1/reports/funnel", params, {{"Authorization", "Bearer " + office}});
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    return json::parse(res->body);
  };
  auto visited = [&](const json& report) {
    const json& rows = report["tables"][0]["rows"];
    return rows.empty() ? 0 : rows.back()["visited"].get<int>();
  };
  json london_20 = funnel(kLondonTeam, "2026-11-20");
  CHECK(london_20["filter"]["zone"] == "Europe/London");
  CHECK(london_20["filter"]["from"] == "2026-11-20T00:00:00Z");
  CHECK(london_20["filter"]["to"] == "2026-11-21T00:00:00Z");
  CHECK(visited(london_20) == 1);
  CHECK(visited(funnel(kLondonTeam, "2026-11-21")) == 0);

  json shanghai_21 = funnel(kShanghaiTeam, "2026-11-21");
  CHECK(shanghai_21["filter"]["zone"] == "Asia/Shanghai");  // no zone set: head office's
  CHECK(shanghai_21["filter"]["from"] == "2026-11-20T16:00:00Z");
  CHECK(visited(shanghai_21) == 1);
  CHECK(visited(funnel(kShanghaiTeam, "2026-11-20")) == 0);

  // The whole company counts in head office's days: both visits on the 21st.
  json company_21 = funnel("", "2026-11-21");
  CHECK(company_21["filter"]["zone"] == "Asia/Shanghai");
  CHECK(visited(company_21) == 2);
  CHECK(visited(funnel("", "2026-11-20")) == 0);
}

TEST_CASE("a team's day is as long as its clocks make it") {
  TimeZone london = TimeZone::Named("Europe/London");
  // Clocks go forward on 29 March 2026: that day has 23 hours there; back on 25 October: 25.
  auto hours = [&](const std::string& day) {
    reports::ReportFilter f = reports::ParseFilter({{"from", day}, {"to", day}}, 0, london);
    return (f.until_ms - f.since_ms) / 3'600'000;
  };
  CHECK(hours("2026-03-29") == 23);
  CHECK(hours("2026-10-25") == 25);
  CHECK(hours("2026-11-20") == 24);
  CHECK(london.OffsetMinutes(ParseTime("2026-07-01T12:00:00Z", "at")) == 60);
  CHECK(TimeZone::Named("Asia/Shanghai").DateOf(ParseTime(kVisitAt, "at")) == "2026-11-21");
  CHECK_THROWS_WITH_AS(TimeZone::Named("../../etc/passwd"),
                       doctest::Contains("unknown time zone '../../etc/passwd'"), InvalidInput);
}

}  // namespace
}  // namespace fieldcrm::testing
