// Complaints and repairs on real stores: their steps and errors, convergence when two tablets
// move one case concurrently and sync, the alerts plugin's clocks (built plugin, loaded from
// disk), the complaints report over the reporting contract, and the CLI's commands and errors.
#include <doctest/doctest.h>

#include <cstddef>
#include <map>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/service_cases.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "fieldcrm/reports/reports.h"
#include "tests/plugins/plugin_world.h"
#include "tests/support/run.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

int64_t At(const char* iso) {
  return ParseTime(iso, "at");
}

std::string OpenCase(Store& store, const std::string& customer, const std::string& kind,
                     const char* at, const std::string& category = "物业") {
  NewServiceCase input;
  input.kind = kind;
  input.category = category;
  input.at_ms = At(at);
  return ServiceCases(store).Open(customer, input);
}

void Step(Store& store, const std::string& kind, const std::string& id, const std::string& step,
          const char* at, std::optional<int64_t> satisfaction = std::nullopt) {
  ServiceCaseStep input;
  input.step = step;
  input.at_ms = At(at);
  input.satisfaction = satisfaction;
  ServiceCases(store).Advance(kind, id, input);
}

json Only(const std::vector<json>& cases) {
  REQUIRE(cases.size() == 1);
  return cases.front();
}

TEST_CASE("a complaint goes open → answered → resolved, each step stamped with who and when") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  std::string customer = tablet.Customer("张伟", "13800000001", "2026-06-01");
  std::string id = OpenCase(tablet.store(), customer, "complaint", "2026-06-15T01:00Z");
  CHECK(Only(ServiceCases(tablet.store()).List("complaint", true))["status"] == "opened");
  Step(tablet.store(), "complaint", id, "answered", "2026-06-15T02:30Z");
  Step(tablet.store(), "complaint", id, "resolved", "2026-06-16T01:00Z", 4);
  json done = Only(ServiceCases(tablet.store()).List("complaint", false));
  CHECK(done["status"] == "resolved");
  CHECK(done["answered_at"] == "2026-06-15T02:30:00Z");
  CHECK(done["resolved_by"] == "王芳");
  CHECK(done["satisfaction"] == 4);
  CHECK(done["customer_name"] == "张伟");
  CHECK(done["severity"] == "medium");
  CHECK(ServiceCases(tablet.store()).List("complaint", true).empty());
  // On the customer's history like any record that hangs under it.
  CHECK(Activities(tablet.store()).Of(customer, "complaint").size() == 1);
}

TEST_CASE("steps a case cannot take, and bad input, are clear errors that write nothing") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Store& store = tablet.store();
  std::string customer = tablet.Customer("张伟", "13800000001", "2026-06-01");
  std::string complaint = OpenCase(store, customer, "complaint", "2026-06-15T01:00Z");
  std::string repair = OpenCase(store, customer, "repair", "2026-06-15T01:00Z", "漏水");
  int64_t log = tablet.LogSize();

  NewServiceCase no_category;
  no_category.kind = "complaint";
  CHECK_THROWS_WITH_AS(ServiceCases(store).Open(customer, no_category),
                       doctest::Contains("needs a category"), InvalidInput);
  NewServiceCase bad_severity;
  bad_severity.kind = "complaint";
  bad_severity.category = "物业";
  bad_severity.severity = "extreme";
  CHECK_THROWS_AS(ServiceCases(store).Open(customer, bad_severity), InvalidInput);
  CHECK_THROWS_AS(OpenCase(store, "no-such-customer", "complaint", "2026-06-15T01:00Z"), NotFound);
  CHECK_THROWS_WITH_AS(Step(store, "complaint", complaint, "attended", "2026-06-15T02:00Z"),
                       doctest::Contains("it can be answered or resolved or closed, not attended"),
                       InvalidInput);
  CHECK_THROWS_WITH_AS(Step(store, "complaint", complaint, "answered", "2026-06-14T02:00Z"),
                       doctest::Contains("before it was opened"), InvalidInput);
  CHECK_THROWS_WITH_AS(Step(store, "complaint", complaint, "answered", "2026-06-15T02:00Z", 5),
                       doctest::Contains("satisfaction is asked when a complaint ends"),
                       InvalidInput);
  CHECK_THROWS_WITH_AS(Step(store, "repair", repair, "fixed", "2026-06-15T02:00Z", 6),
                       doctest::Contains("1 (very dissatisfied) to 5"), InvalidInput);
  CHECK_THROWS_AS(Step(store, "repair", complaint, "fixed", "2026-06-15T02:00Z"), NotFound);
  CHECK(tablet.LogSize() == log);

  // A repair may be fixed without a separate visit; then it cannot move any more.
  Step(store, "repair", repair, "fixed", "2026-06-16T01:00Z");
  json fixed = Only(ServiceCases(store).List("repair", false));
  CHECK(fixed["status"] == "fixed");
  CHECK_FALSE(fixed.contains("attended_at"));
  CHECK_THROWS_WITH_AS(Step(store, "repair", repair, "attended", "2026-06-16T02:00Z"),
                       doctest::Contains("is fixed; it cannot move any more"), InvalidInput);
}

TEST_CASE("two tablets moving one complaint concurrently converge after sync") {
  TempDir dir;
  Replica booth(dir, "booth", "王芳");
  Replica office(dir, "office", "李强");
  std::string customer = booth.Customer("张伟", "13800000001", "2026-06-01");
  std::string id = OpenCase(booth.store(), customer, "complaint", "2026-06-15T01:00Z");
  Sync(booth.store(), office.store());
  // Offline, the booth answers while the office closes it.
  Step(booth.store(), "complaint", id, "answered", "2026-06-15T02:00Z");
  Step(office.store(), "complaint", id, "closed", "2026-06-15T03:00Z", 2);
  Sync(booth.store(), office.store());
  json at_booth = Only(ServiceCases(booth.store()).List("complaint", false));
  json at_office = Only(ServiceCases(office.store()).List("complaint", false));
  CHECK(at_booth == at_office);
  CHECK(at_booth["status"] == "closed");
  CHECK(at_booth["answered_by"] == "王芳");
  CHECK(at_booth["closed_by"] == "李强");
  CHECK(at_booth["satisfaction"] == 2);
}

TEST_CASE("the alerts plugin runs the complaint and repair clocks") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Store& store = tablet.store();
  // kAsOf is 2026-06-15 12:00 UTC.
  std::string customer = tablet.Customer("张伟", "13800000001", "2026-06-01");
  tablet.Interaction(customer, "call", "2026-06-15T09:00Z");  // keeps other rules quiet
  std::string late = OpenCase(store, customer, "complaint", "2026-06-15T09:00Z");  // 3 h ago
  OpenCase(store, customer, "complaint", "2026-06-15T11:00Z");  // 1 h ago: not yet due
  std::string old = OpenCase(store, customer, "complaint", "2026-06-13T10:00Z", "交付");
  Step(store, "complaint", old, "answered", "2026-06-13T11:00Z");
  OpenCase(store, customer, "repair", "2026-06-13T11:00Z", "漏水");  // 49 h ago, unattended
  std::string attended = OpenCase(store, customer, "repair", "2026-06-13T11:00Z", "门窗");
  Step(store, "repair", attended, "attended", "2026-06-14T11:00Z");

  auto host = BuiltinHost(store);
  AlertsResult result = CollectAlerts(store, *host, kAsOf);
  CHECK(result.failures.empty());
  std::multimap<std::string, std::string> alerts;
  for (const DueAlert& a : result.alerts) alerts.emplace(a.rule, a.message);
  CHECK(alerts.size() == 3);
  auto message = [&](const char* rule) {
    auto it = alerts.find(rule);
    return it == alerts.end() ? std::string() : it->second;
  };
  // Times in messages are China time.
  CHECK(message("complaint-unanswered") ==
        "物业 complaint opened 2026-06-15 17:00 not answered within 2 h");
  CHECK(message("complaint-unresolved") ==
        "交付 complaint opened 2026-06-13 18:00 not resolved within 48 h");
  CHECK(message("repair-unattended") ==
        "漏水 repair opened 2026-06-13 19:00 not attended on site within 48 h");
}

TEST_CASE("a plugin built for API 2.2 sees no cases, not garbage, under an older host's view") {
  std::string complaints = R"([{"opened_at": "2026-06-15T01:00:00Z"}])";
  fieldcrm_customer_view view{};
  view.complaints = sdk::ToStr(complaints);
  view.repairs = sdk::ToStr(complaints);
  view.struct_size = sizeof(fieldcrm_customer_view);
  CHECK(sdk::CustomerView::From(view).complaints == complaints);
  view.struct_size = offsetof(fieldcrm_customer_view, complaints);  // a 2.1 host's view
  CHECK(sdk::CustomerView::From(view).complaints == "[]");
  CHECK(sdk::CustomerView::From(view).repairs == "[]");
}

TEST_CASE("the complaints report: rate, time to answer and resolve, by project and team") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Store& store = tablet.store();
  std::string a = tablet.Customer("甲", "13800000001", "2026-06-01", {{"project", "滨江壹号"}});
  std::string b = tablet.Customer("乙", "13800000002", "2026-06-01", {{"project", "滨江壹号"}});
  tablet.Customer("丙", "13800000003", "2026-06-01", {{"project", "滨江壹号"}});
  tablet.Customer("丁", "13800000004", "2026-06-01", {{"project", "城南府"}});
  std::string quick = OpenCase(store, a, "complaint", "2026-06-10T01:00Z");
  Step(store, "complaint", quick, "answered", "2026-06-10T02:00Z");     // 1 h
  Step(store, "complaint", quick, "resolved", "2026-06-11T01:00Z", 5);  // 24 h
  std::string slow = OpenCase(store, b, "complaint", "2026-06-10T01:00Z");
  Step(store, "complaint", slow, "answered", "2026-06-10T06:00Z");  // 5 h
  std::string repair = OpenCase(store, b, "repair", "2026-06-10T01:00Z", "漏水");
  Step(store, "repair", repair, "attended", "2026-06-11T01:00Z");  // 24 h

  ReportingConnection reporting(store.path());
  reports::ReportFilter filter = reports::ParseFilter({{"from", "2026-06-01"}}, kAsOf);
  json report = reports::RunReport(reporting, "complaints", filter, kAsOf);
  std::map<std::string, json> tables;
  for (const json& t : report["tables"]) tables[t["name"]] = t["rows"];
  json project = tables["by_project"][0];
  CHECK(project["grp"] == "滨江壹号");
  CHECK(project["customers"] == 3);
  CHECK(project["cases"] == 2);
  CHECK(project["rate_pct"].get<double>() == doctest::Approx(66.67));
  CHECK(project["first_hours"].get<double>() == doctest::Approx(3.0));
  CHECK(project["first_in_time_pct"].get<double>() == doctest::Approx(50.0));
  CHECK(project["done_hours"].get<double>() == doctest::Approx(24.0));
  CHECK(project["done_in_time_pct"].get<double>() == doctest::Approx(50.0));
  CHECK(project["still_open"] == 1);
  CHECK(project["satisfaction"].get<double>() == doctest::Approx(5.0));
  json all = tables["by_project"].back();
  CHECK(all["grp"] == "(全部 all)");
  CHECK(all["customers"] == 4);
  CHECK(all["cases"] == 2);
  CHECK(tables["by_team"][0]["grp"] == "滨江一组");
  json repairs = tables["repairs"][0];
  CHECK(repairs["cases"] == 1);
  CHECK(repairs["first_hours"].get<double>() == doctest::Approx(24.0));
  CHECK(repairs["first_in_time_pct"].get<double>() == doctest::Approx(100.0));
}

// A tablet store made with the fieldcrm program, with one customer 张伟 (extra: more of its
// fields); returns the customer's id.
std::string CliTabletWithCustomer(const std::string& db, std::vector<std::string> extra = {}) {
  REQUIRE(
      Cli(db, {"init", "--device", "booth", "--agent", "王芳", "--team", "滨江一组"}).exit_code ==
      0);
  std::vector<std::string> args = {"customer", "add", "--name", "张伟", "--phone", "13800000001"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult added = Cli(db, args);
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  return Line(added.out);
}

TEST_CASE("fieldcrm complaint and repair commands, with clear errors and exit codes") {
  TempDir dir;
  std::string db = dir.File("cli.db");
  std::string customer = CliTabletWithCustomer(db);
  RunResult opened = Cli(db, {"complaint", "add", customer, "--category", "物业", "--channel",
                              "微信", "--severity", "高", "--note", "电梯坏了"});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  std::string id = Line(opened.out);
  CHECK(Cli(db, {"complaint", "answer", id, "--note", "已联系物业"}).exit_code == 0);
  RunResult bad = Cli(db, {"complaint", "resolve", id, "--satisfaction", "9"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("satisfaction") != std::string::npos);
  CHECK(Cli(db, {"complaint", "resolve", id, "--satisfaction", "4"}).exit_code == 0);
  RunResult again = Cli(db, {"complaint", "answer", id});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("cannot move any more") != std::string::npos);
  CHECK(Cli(db, {"complaint", "add", customer}).exit_code == 2);  // --category is required
  RunResult listed = Cli(db, {"--json", "complaint", "list"});
  REQUIRE(listed.exit_code == 0);
  json cases = json::parse(listed.out);
  REQUIRE(cases.size() == 1);
  CHECK(cases[0]["status"] == "resolved");
  CHECK(cases[0]["channel"] == "wechat");
  CHECK(cases[0]["severity"] == "high");

  RunResult repair = Cli(db, {"repair", "add", customer, "--category", "漏水", "--unit", "3-1502"});
  REQUIRE(repair.exit_code == 0);
  CHECK(Cli(db, {"repair", "attend", Line(repair.out)}).exit_code == 0);
  RunResult shown = Cli(db, {"customer", "show", customer});
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find("Complaints and repairs:") != std::string::npos);
  CHECK(shown.out.find("attended") != std::string::npos);
  CHECK(shown.out.find("resolved") != std::string::npos);
  RunResult report = Cli(db, {"--json", "report", "complaints"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK(json::parse(report.out)["tables"][0]["rows"].back()["cases"] == 1);
}

// The tiering plugin (the real .so, in this process and isolated in its own) reads the open
// complaints the host counts (plugin API 2.4) and, where its config says so, gives service
// priority: flagged in the explanation, or also one tier up, while the complaint is open.
TEST_CASE("an open complaint raises service priority where the tiering config says so") {
  TempDir dir;
  std::string db = dir.File("priority.db");
  std::string customer = CliTabletWithCustomer(db, {"--budget", "5000000", "--stage", "buyer"});
  auto explain = [&](const std::string& isolation, const std::string& as_of) {
    RunResult r = Cli(db, {"--plugin-isolation=" + isolation, "--as-of=" + as_of, "--json", "tier",
                           "explain", customer});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return json::parse(r.out);
  };
  auto listed_as = [&](const std::string& isolation, const std::string& tier) {
    RunResult r = Cli(db, {"--plugin-isolation=" + isolation, "--as-of=2026-06-20T12:00Z", "--json",
                           "customer", "list", "--tier", tier});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return json::parse(r.out).size();
  };
  const std::string later = "2026-06-20T12:00Z";
  CHECK(explain("none", later)["tier"] == "C");
  RunResult opened =
      Cli(db, {"complaint", "add", customer, "--category", "物业", "--at", "2026-06-15T10:00Z"});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  std::string complaint = Line(opened.out);

  // Off by default: the complaint changes nothing.
  json off = explain("none", later);
  CHECK(off["tier"] == "C");
  CHECK(off["explanation"]["service_priority"] == false);
  CHECK(off["explanation"]["factors"].size() == 7);

  REQUIRE(Cli(db, {"plugins", "config", "tiering", R"({"complaint_priority": "raise_tier"})"})
              .exit_code == 0);
  for (const char* isolation : {"none", "all"}) {
    CAPTURE(isolation);
    json raised = explain(isolation, later);
    CHECK(raised["tier"] == "B");
    CHECK(raised["tier_score"] == off["tier_score"]);
    CHECK(raised["explanation"]["service_priority"] == true);
    json factor = raised["explanation"]["factors"].back();
    CHECK(factor["name"] == "service priority");
    CHECK(factor["value"] == 1);
    CHECK(factor["points"] == 0);
    // Lists grade every customer from the fact tables: the same tier there.
    CHECK(listed_as(isolation, "B") == 1);
    CHECK(listed_as(isolation, "C") == 0);
    // Before the complaint was opened, no priority.
    CHECK(explain(isolation, "2026-06-14T12:00Z")["tier"] == "C");
  }

  REQUIRE(
      Cli(db, {"plugins", "config", "tiering", R"({"complaint_priority": "flag"})"}).exit_code ==
      0);
  json flagged = explain("all", later);
  CHECK(flagged["tier"] == "C");
  CHECK(flagged["explanation"]["service_priority"] == true);

  // Resolved: the priority ends with it.
  REQUIRE(Cli(db, {"plugins", "config", "tiering", R"({"complaint_priority": "raise_tier"})"})
              .exit_code == 0);
  REQUIRE(Cli(db, {"complaint", "resolve", complaint, "--at", "2026-06-16T10:00Z"}).exit_code == 0);
  for (const char* isolation : {"none", "all"}) {
    json resolved = explain(isolation, later);
    CHECK(resolved["tier"] == "C");
    CHECK(resolved["explanation"]["factors"].back()["value"] == 0);
    CHECK(listed_as(isolation, "B") == 0);
  }
  CHECK(explain("all", "2026-06-15T12:00Z")["tier"] == "B");  // open that day
}

}  // namespace
}  // namespace fieldcrm::testing
