// fieldcrm report: the same figures from a tablet's own store and from head office's server (the
// dashboard's JSON API), as tables, CSV and JSON; bad filters are clear errors. Tiers: a real
// fieldcrm-server grading with the built tiering plugin it loaded from disk.
#include <doctest/doctest.h>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/sync/transport.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("fieldcrm report: local and from the server agree") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string tablet_db = dir.File("wang.db");
  {
    auto tablet = NewTablet(tablet_db, "王芳", "滨江一组");
    Activities activities(*tablet);
    std::string zhang = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    std::string li = Customers(*tablet).Add({{"name", "李娜"}, {"phone", "13900001111"}}).id;
    activities.AddInteraction(zhang, {});
    activities.AddInteraction(li, {});
    activities.AddDeal(zhang, "5-801", 3000000, "signed");
    SyncWith(*tablet, server.url(), server.Token("王芳", "滨江一组"));
  }
  std::string office = server.Token("总部", "", sync::Role::kOffice);

  RunResult local = Cli(tablet_db, {"--json", "report", "funnel"});
  REQUIRE_MESSAGE(local.exit_code == 0, local.err);
  RunResult remote =
      Cli(tablet_db, {"--json", "report", "funnel", "--server", server.url(), "--token", office});
  REQUIRE_MESSAGE(remote.exit_code == 0, remote.err);
  json rows = json::parse(local.out)["tables"][0]["rows"];
  CHECK(rows == json::parse(remote.out)["tables"][0]["rows"]);
  REQUIRE(rows.size() == 2);  // 王芳 and everyone
  CHECK(rows[0]["agent"] == "王芳");
  CHECK(rows[0]["visited"] == 2);
  CHECK(rows[0]["signed"] == 1);
  CHECK(rows[0]["overall_pct"] == 50.0);

  RunResult csv = Cli(tablet_db, {"report", "funnel", "--csv", "--agent", "王芳"});
  REQUIRE_MESSAGE(csv.exit_code == 0, csv.err);
  CHECK(csv.out.find("\"王芳\",\"2\",\"1\",\"1\",\"1\"") != std::string::npos);

  RunResult table = Cli(tablet_db, {"report", "customers", "--team", "滨江一组"});
  REQUIRE_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("prospect") != std::string::npos);

  RunResult agent = Cli(tablet_db, {"report", "funnel", "--server", server.url(), "--token",
                                    server.Token("李强", "西湖二组")});
  CHECK(agent.exit_code == 1);
  CHECK(agent.err.find("HTTP 403") != std::string::npos);
  RunResult unknown = Cli(tablet_db, {"report", "sales"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("unknown report 'sales'; the reports are") != std::string::npos);
  RunResult bad =
      Cli(tablet_db, {"report", "funnel", "--from", "2026-12-01", "--to", "2026-11-01"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("'from' must be before 'to'") != std::string::npos);
}

TEST_CASE("fieldcrm report: a date as --to is the period's last day") {
  TempDir dir;
  std::string tablet_db = dir.File("wang.db");
  {
    auto tablet = NewTablet(tablet_db, "王芳", "滨江一组");
    std::string zhang = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    Activities(*tablet).AddInteraction(
        zhang, {.type = "visit", .at_ms = ParseTime("2026-11-20T10:00:00Z", "at")});
  }
  auto visited = [&](const std::string& from, const std::string& to) {
    RunResult run = Cli(tablet_db, {"--json", "report", "funnel", "--from", from, "--to", to});
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    json rows = json::parse(run.out)["tables"][0]["rows"];
    return rows.empty() ? 0 : rows.back()["visited"].get<int>();
  };
  CHECK(visited("2026-11-20", "2026-11-20") == 1);  // one whole day
  CHECK(visited("2026-11-01", "2026-11-19") == 0);
  CHECK(visited("2026-11-01", "2026-11-20T10:00:00Z") == 0);  // a time is where the period ends
  CHECK(visited("2026-11-01", "2026-11-20T10:00:01Z") == 1);
}

constexpr int64_t kDay = 24 * 3600 * 1000;

// A customer with the given budget (empty: none), visited `visits` times in the last days.
std::string Customer(Store& tablet, const std::string& name, const std::string& phone,
                     const std::string& budget, int visits) {
  FieldTexts fields = {{"name", name}, {"phone", phone}};
  if (!budget.empty()) fields.emplace_back("budget", budget);
  std::string id = Customers(tablet).Add(fields).id;
  for (int i = 0; i < visits; ++i) {
    Activities(tablet).AddInteraction(id, {.at_ms = Env::Default().NowMillis() - i * kDay});
  }
  return id;
}

// The rows of a report's table by their first column: {"A": row, ...}.
json TableRows(const json& report, const std::string& table) {
  for (const json& t : report["tables"]) {
    if (t["name"] != table) continue;
    json rows = json::object();
    std::string key = t["columns"][0]["key"];
    for (const json& row : t["rows"]) rows[row[key].get<std::string>()] = row;
    return rows;
  }
  FAIL("no table " << table << " in " << report.dump());
  return {};
}

json Counts(const json& report, const std::string& table, const std::string& column) {
  json rows = TableRows(report, table), counts = json::object();
  for (const auto& [key, row] : rows.items()) counts[key] = row[column];
  return counts;
}

// The tables' periods, by name: {"by_stage": "period", ...}.
json Periods(const json& report) {
  json out = json::object();
  for (const json& t : report["tables"]) out[t["name"].get<std::string>()] = t["period"];
  return out;
}

TEST_CASE("report figures on a seed whose true answers are known") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string tablet_db = dir.File("wang.db");
  {
    auto tablet = NewTablet(tablet_db, "王芳", "滨江一组");
    Customers customers(*tablet);
    // Five registrations (each written with its stage, prospect), one later move to intent.
    std::string zhang = customers.Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    customers.Add({{"name", "李娜"}, {"phone", "13900001111"}, {"source", "referral"}});
    std::string friend_id = customers.Add({{"name", "赵敏"}, {"phone", "13700002222"}}).id;
    Activities(*tablet).AddReferral(zhang, friend_id);
    customers.Add({{"name", "陈静"}, {"phone", "13500004444"}, {"source", "walk-in"}});
    customers.Add({{"name", "杨磊"}, {"phone", "13400005555"}, {"stage", "owner"}});
    customers.Set(zhang, {{"stage", "intent"}});
    SyncWith(*tablet, server.url(), server.Token("王芳", "滨江一组"));
  }
  auto api = sync::MakeHttpTransport(server.url(), server.Token("总部", "", sync::Role::kOffice));
  auto get = [&api](const std::string& path) {
    sync::HttpReply reply = api->Get(path);
    REQUIRE_MESSAGE(reply.status == 200, reply.body.dump());
    return reply.body;
  };

  // Registering a customer, whatever stage they are registered with, is not a move: only 张伟's
  // change to intent is.
  json customers = get("/v1/reports/customers");
  json moves = TableRows(customers, "moves");
  CHECK(moves.size() == 1);
  CHECK(moves["intent"]["moved_in_period"] == 1);
  CHECK(Counts(customers, "by_stage", "new_in_period") ==
        json{{"prospect", 3}, {"intent", 1}, {"owner", 1}});

  // Referral-sourced customers count in the programme, with or without a referral record.
  json referrals = get("/v1/reports/referrals");
  REQUIRE(referrals["tables"][1]["name"] == "referred_customers");
  json referred = referrals["tables"][1]["rows"];
  REQUIRE(referred.size() == 1);
  json row = referred[0];
  CHECK(row["registered"] == 5);
  CHECK(row["referred"] == 2);  // 李娜 (source) and 赵敏 (referee of 张伟's referral)
  CHECK(row["referred_pct"] == 40.0);
  CHECK(row["referred_all"] == 2);
  CHECK(row["without_referrer"] == 1);  // 李娜

  // Every table says what time it covers; churn and devices ignore the period altogether.
  CHECK(Periods(customers) ==
        json{{"by_stage", "period"}, {"moves", "period"}, {"by_team", "now"}});
  CHECK(Periods(referrals) ==
        json{{"share", "period"}, {"referred_customers", "period"}, {"leaderboard", "all_time"}});
  CHECK(Periods(get("/v1/reports/churn")) == json{{"by_agent", "now"}, {"customers", "now"}});
  CHECK(Periods(get("/v1/reports/devices")) == json{{"devices", "now"}});

  // A team, agent or project nobody has is a clear 404 naming the ones there are.
  sync::HttpReply typo =
      api->Get("/v1/reports/customers?team=%E6%BB%A8%E6%B1%9F%E4%B9%9D%E7%BB%84");
  CHECK(typo.status == 404);
  CHECK(typo.body["error"]["message"] ==
        "no team '滨江九组' among the customers here; the teams are: 滨江一组");
  CHECK(api->Get("/v1/reports/funnel?agent=nobody").status == 404);
  CHECK(api->Get("/v1/reports/churn?project=nowhere").status == 404);
  CHECK(api->Get("/v1/reports/devices?team=nowhere").status == 404);
  RunResult local = Cli(tablet_db, {"report", "funnel", "--agent", "王方"});
  CHECK(local.exit_code == 1);
  CHECK(local.err.find("no agent '王方' among the customers here; the agents are: 王芳") !=
        std::string::npos);

  // The pickers' choices come from the data.
  json choices = get("/v1/reports/choices");
  CHECK(choices["teams"] == json::parse(R"([{"team": "滨江一组", "customers": 5}])"));
  CHECK(choices["agents"] ==
        json::parse(R"([{"agent": "王芳", "team": "滨江一组", "customers": 5}])"));
  CHECK(choices["projects"] == json::array());
}

TEST_CASE("tiers: the server grades with the tiering plugin it loaded from disk") {
  TempDir dir;
  std::string db = dir.File("server.db");
  auto token = [&db](const std::vector<std::string>& args) {
    RunResult r = Server(db, args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return Line(r.out);
  };
  std::string wang_token = token({"token", "create", "--agent", "王芳", "--team", "滨江一组"});
  std::string li_token = token({"token", "create", "--agent", "李强", "--team", "西湖二组"});
  std::string office = token({"token", "create", "--agent", "总部", "--role", "office"});
  auto server = std::make_unique<ServerProcess>(
      db, dir.File("server.log"),
      std::vector<std::string>{"--insecure-http", "--plugins", FIELDCRM_BINARY_DIR "/plugins"});
  CHECK(ReadFile(dir.File("server.log")).find("plugins from") != std::string::npos);

  // With the default rules (docs/plugins.md): 500万 budget (25 points) + 4 visits today (20, and
  // 15 for recency) + a signed deal (15) is A; without the deal B; the budget alone, never
  // contacted, D (27.5: registering is not an interaction, so no recency points); nothing D.
  std::string wang_db = dir.File("wang.db"), top;
  {
    auto wang = NewTablet(wang_db, "王芳", "滨江一组");
    Activities a(*wang);
    top = Customer(*wang, "张伟", "13800138000", "5000000", 4);
    a.AddDeal(top, "5-801", 5000000, "signed");
    a.CompleteTask(a.AddTask(top, Env::Default().NowMillis() - 5 * kDay, "done: no breach"));
    std::string mid = Customer(*wang, "李娜", "13900001111", "5000000", 4);
    a.AddTask(mid, Env::Default().NowMillis() - 3 * kDay, "overdue");
    a.AddTask(mid, Env::Default().NowMillis() - kDay, "overdue too");
    std::string cold = Customer(*wang, "王秀英", "13700002222", "", 0);
    a.AddTask(cold, Env::Default().NowMillis() - kDay, "overdue");
    SyncWith(*wang, server->url(), wang_token);
  }
  {
    auto li = NewTablet(dir.File("li.db"), "李强", "西湖二组");
    std::string rich = Customer(*li, "陈静", "13500004444", "5000000", 0);
    Activities(*li).AddTask(rich, Env::Default().NowMillis() + kDay, "not due yet");
    Customer(*li, "杨磊", "13400005555", "", 0);
    SyncWith(*li, server->url(), li_token);
  }
  auto api = sync::MakeHttpTransport(server->url(), office);
  auto get = [&api](const std::string& path) {
    sync::HttpReply reply = api->Get(path);
    REQUIRE_MESSAGE(reply.status == 200, reply.body.dump());
    return reply.body;
  };

  json tiers = get("/v1/reports/tiers");
  CHECK(tiers["report"] == "tiers");
  CHECK(Counts(tiers, "by_tier", "customers") == json{{"A", 1}, {"B", 1}, {"C", 0}, {"D", 3}});
  // Everyone was registered in this period: at its start nobody had a tier yet.
  CHECK(Counts(tiers, "by_tier", "previous") == json{{"A", 0}, {"B", 0}, {"C", 0}, {"D", 0}});
  CHECK(Counts(tiers, "by_tier", "change") == json{{"A", 1}, {"B", 1}, {"C", 0}, {"D", 3}});
  json moves = TableRows(tiers, "moves");         // by from_tier: all "(new)"
  CHECK(tiers["tables"][1]["rows"].size() == 3);  // into A, B and D
  CHECK(moves["(new)"]["from_tier"] == "(new)");
  // A period starting after all of it: the same tiers then as now, and no moves.
  json later = get("/v1/reports/tiers?from=" + FormatTime(Env::Default().NowMillis() + 60'000) +
                   "&to=" + FormatTime(Env::Default().NowMillis() + 2 * kDay));
  CHECK(Counts(later, "by_tier", "previous") == json{{"A", 1}, {"B", 1}, {"C", 0}, {"D", 3}});
  CHECK(Counts(later, "by_tier", "change") == json{{"A", 0}, {"B", 0}, {"C", 0}, {"D", 0}});
  CHECK(later["tables"][1]["rows"].empty());
  // Core and developing need an interaction: the three never contacted are potential (500万)
  // or dormant, however recently they were registered.
  CHECK(Counts(tiers, "by_segment", "customers") ==
        json{{"core", 2}, {"potential", 1}, {"developing", 0}, {"dormant", 2}});
  // The filters choose which customers count.
  CHECK(Counts(get("/v1/reports/tiers?team=%E8%A5%BF%E6%B9%96%E4%BA%8C%E7%BB%84"), "by_tier",
               "customers") == json{{"A", 0}, {"B", 0}, {"C", 0}, {"D", 2}});
  CHECK(Counts(get("/v1/reports/tiers?agent=%E7%8E%8B%E8%8A%B3"), "by_tier", "customers") ==
        json{{"A", 1}, {"B", 1}, {"C", 0}, {"D", 1}});

  // Overdue = open and due before now: B's two tasks, D's one; A's is done, C's not due yet.
  json followups = get("/v1/reports/followups");
  CHECK(Counts(followups, "sla_by_tier", "overdue_tasks") ==
        json{{"A", 0}, {"B", 2}, {"C", 0}, {"D", 1}});
  CHECK(Counts(followups, "sla_by_tier", "customers") ==
        json{{"A", 0}, {"B", 1}, {"C", 0}, {"D", 1}});
  for (const json& t : followups["tables"]) CHECK(t["name"] != "sla_by_stage");
  CHECK(get("/v1/reports")["reports"][1] == "tiers");

  json page = get("/v1/reports/customer?id=" + top);
  CHECK(page["tier"]["tier"] == "A");
  CHECK(page["tier"]["plugin"] == "tiering");
  CHECK(page["tier"]["explanation"]["factors"].size() == 7);

  // The CLI: locally from the tablet (its own team) with its plugins, and from the server.
  RunResult local = Cli(wang_db, {"--json", "report", "tiers"});
  REQUIRE_MESSAGE(local.exit_code == 0, local.err);
  CHECK(Counts(json::parse(local.out), "by_tier", "customers") ==
        json{{"A", 1}, {"B", 1}, {"C", 0}, {"D", 1}});
  RunResult remote =
      Cli(wang_db, {"--json", "report", "tiers", "--server", server->url(), "--token", office});
  REQUIRE_MESSAGE(remote.exit_code == 0, remote.err);
  CHECK(json::parse(remote.out)["tables"] == tiers["tables"]);
  RunResult table = Cli(wang_db, {"report", "followups"});
  REQUIRE_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("by the customer's tier") != std::string::npos);

  // Head office's rules reach the running server through sync: every grade but D unreachable.
  std::string hq_db = dir.File("hq.db");
  REQUIRE(Cli(hq_db, {"init", "--device", "hq-desk"}).exit_code == 0);
  RunResult config = Cli(
      hq_db, {"plugins", "config", "tiering", R"({"thresholds": {"A": 100, "B": 99.5, "C": 99}})"});
  REQUIRE_MESSAGE(config.exit_code == 0, config.err);
  RunResult sync = Cli(hq_db, {"sync", "--server", server->url(), "--token", office});
  REQUIRE_MESSAGE(sync.exit_code == 0, sync.err);
  CHECK(Counts(get("/v1/reports/tiers"), "by_tier", "customers") ==
        json{{"A", 0}, {"B", 0}, {"C", 0}, {"D", 5}});

  // The same store served without a tiering plugin: tiers is a 503 saying why; the rest answers.
  server.reset();
  std::string empty = dir.File("no-plugins");
  std::filesystem::create_directory(empty);
  server = std::make_unique<ServerProcess>(
      db, dir.File("bare.log"), std::vector<std::string>{"--insecure-http", "--plugins", empty});
  CHECK(ReadFile(dir.File("bare.log")).find("no tiering plugin") != std::string::npos);
  auto bare = sync::MakeHttpTransport(server->url(), office);
  sync::HttpReply refused = bare->Get("/v1/reports/tiers");
  CHECK(refused.status == 503);
  CHECK(refused.body["error"]["code"] == "plugin_unavailable");
  CHECK(refused.body["error"]["message"].get<std::string>().find("no usable tiering plugin in " +
                                                                 empty) != std::string::npos);
  sync::HttpReply still = bare->Get("/v1/reports/followups");
  REQUIRE(still.status == 200);
  CHECK(TableRows(still.body, "by_agent")["王芳"]["overdue_tasks"] == 3);
  CHECK(still.body["tables"][1]["note"].get<std::string>().find("no usable tiering plugin") !=
        std::string::npos);
  sync::HttpReply no_tier = bare->Get("/v1/reports/customer?id=" + top);
  REQUIRE(no_tier.status == 200);
  CHECK(no_tier.body["tier"]["note"].get<std::string>().find("tiering") != std::string::npos);
}

TEST_CASE("fieldcrm report: key figures against the previous period, and their trend by day") {
  setenv("TZ", "Asia/Shanghai", 1);  // the days below are Shanghai's (the CLI's local zone)
  TempDir dir;
  std::string tablet_db = dir.File("wang.db");
  {
    auto tablet = NewTablet(tablet_db, "王芳", "滨江一组");
    std::string zhang = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    Activities activities(*tablet);
    // Two visits in the previous week (1-7 November), three in the week asked for (8-14):
    // one on the 8th, one a second before midnight on the 10th, one at midnight (the 11th).
    for (const char* at : {"2026-11-03T02:00:00Z", "2026-11-05T02:00:00Z", "2026-11-08T01:00:00Z",
                           "2026-11-10T15:59:59Z", "2026-11-10T16:00:00Z"}) {
      activities.AddInteraction(zhang, {.type = "visit", .at_ms = ParseTime(at, "at")});
    }
    activities.AddInteraction(zhang,
                              {.type = "call", .at_ms = ParseTime("2026-11-09T03:00:00Z", "at")});
  }
  auto report = [&](const std::string& name, const std::string& from, const std::string& to) {
    RunResult run = Cli(tablet_db, {"--json", "report", name, "--from", from, "--to", to});
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    return json::parse(run.out);
  };
  json funnel = report("funnel", "2026-11-08", "2026-11-14")["key_figures"];
  CHECK(funnel["unit"] == "day");
  CHECK(funnel["previous"] ==
        json{{"from", "2026-10-31T16:00:00Z"}, {"to", "2026-11-07T16:00:00Z"}});
  CHECK(funnel["figures"][0] == json{{"key", "visits"},
                                     {"label", "到访 Visits"},
                                     {"value", 3},
                                     {"previous", 2},
                                     {"change_pct", 50.0}});
  CHECK(funnel["figures"][2]["key"] == "new_customers");  // registered now: outside both weeks
  CHECK(funnel["figures"][2]["value"] == 0);
  CHECK(funnel["figures"][2]["change_pct"].is_null());  // nothing to compare with
  json days = json::array();
  for (const json& day : funnel["trend"]) days.push_back({day["start"], day["visits"]});
  CHECK(days == json::parse(R"([["2026-11-08", 1], ["2026-11-09", 0], ["2026-11-10", 1],
                                ["2026-11-11", 1], ["2026-11-12", 0], ["2026-11-13", 0],
                                ["2026-11-14", 0]])"));

  json followups = report("followups", "2026-11-08", "2026-11-14")["key_figures"];
  CHECK(followups["figures"][0]["key"] == "followups");
  CHECK(followups["figures"][0]["value"] == 1);
  CHECK(followups["figures"][0]["change_pct"].is_null());

  // Longer than 62 days: by week from Monday (the first week starts with the period).
  json quarter = report("funnel", "2026-09-01", "2026-11-30")["key_figures"];
  CHECK(quarter["unit"] == "week");
  CHECK(quarter["trend"][0]["start"] == "2026-09-01");
  CHECK(quarter["trend"][1]["start"] == "2026-09-07");
  CHECK(quarter["trend"].size() == 14);
  CHECK(quarter["figures"][0]["value"] == 5);
  int64_t weekly_total = 0;
  for (const json& week : quarter["trend"]) weekly_total += week["visits"].get<int64_t>();
  CHECK(weekly_total == 5);

  CHECK(report("churn", "2026-11-08", "2026-11-14")["key_figures"].is_null());  // about now
}

}  // namespace
}  // namespace fieldcrm::testing
