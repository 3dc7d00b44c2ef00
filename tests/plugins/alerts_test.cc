// Follow-up alerts through the real plugin, each rule on a crafted customer, as of 2026-06-15
// 12:00 UTC.
#include <doctest/doctest.h>

#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

// rule -> message for one customer's due alerts.
std::map<std::string, std::string> AlertsOf(const AlertsResult& result, const std::string& id) {
  std::map<std::string, std::string> out;
  for (const DueAlert& a : result.alerts) {
    if (a.customer == id) out[a.rule] = a.message;
  }
  return out;
}

TEST_CASE("each follow-up rule fires on the customer it describes, and only when due") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  std::string unanswered = tablet.Customer("甲", "13800000001", "2026-06-01");
  tablet.Interaction(unanswered, "visit", "2026-06-13T10:00Z");
  std::string fresh_visit = tablet.Customer("乙", "13800000002", "2026-06-01");
  tablet.Interaction(fresh_visit, "visit", "2026-06-15T06:00Z");  // follow-up not yet due
  std::string followed = tablet.Customer("丙", "13800000003", "2026-06-01");
  tablet.Interaction(followed, "visit", "2026-06-13T10:00Z");
  tablet.Interaction(followed, "followup", "2026-06-13T15:00Z");
  std::string quiet = tablet.Customer("丁", "13800000004", "2026-03-01");
  tablet.Interaction(quiet, "call", "2026-05-01T10:00Z");
  std::string birthday =
      tablet.Customer("戊", "13800000005", "2026-06-10", {{"birthday", "1985-06-20"}});
  tablet.Interaction(birthday, "call", "2026-06-14T10:00Z");
  std::string later_birthday =
      tablet.Customer("己", "13800000006", "2026-06-10", {{"birthday", "1985-07-20"}});
  tablet.Interaction(later_birthday, "call", "2026-06-14T10:00Z");
  std::string owner = tablet.Customer("庚", "13800000007", "2025-05-01", {{"stage", "owner"}});
  tablet.Deal(owner, 3000000, "signed", "2025-06-18T02:00Z");
  tablet.Interaction(owner, "call", "2026-06-14T10:00Z");
  std::string uncontacted = tablet.Customer("辛", "13800000008", "2026-06-14T08:00Z");

  auto host = BuiltinHost(tablet.store());
  AlertsResult result = CollectAlerts(tablet.store(), *host, kAsOf);
  CHECK(result.failures.empty());

  CHECK(AlertsOf(result, unanswered) ==
        std::map<std::string, std::string>{
            {"visit-followup", "visit on 2026-06-13 has no follow-up yet"}});
  CHECK(AlertsOf(result, fresh_visit).empty());
  CHECK(AlertsOf(result, followed).empty());
  CHECK(AlertsOf(result, quiet) ==
        std::map<std::string, std::string>{{"churn-risk", "no interaction for 45 days"}});
  CHECK(AlertsOf(result, birthday) ==
        std::map<std::string, std::string>{{"birthday", "birthday on 2026-06-20"}});
  CHECK(AlertsOf(result, later_birthday).empty());
  CHECK(AlertsOf(result, owner) ==
        std::map<std::string, std::string>{
            {"anniversary", "purchase anniversary of 3-1502 on 2026-06-18"}});
  CHECK(AlertsOf(result, uncontacted) ==
        std::map<std::string, std::string>{
            {"first-response", "not contacted within 24 h of registration"}});
  for (const DueAlert& a : result.alerts) {
    CHECK(a.agent == "王芳");
    CHECK(a.due_ms <= kAsOf);
  }
  const DueAlert& churn = *std::find_if(result.alerts.begin(), result.alerts.end(),
                                        [&](const DueAlert& a) { return a.customer == quiet; });
  CHECK(churn.due_ms == ParseTime("2026-05-31T10:00Z", "due"));
}

TEST_CASE("the first-response SLA follows the customer's tier and the configured top tiers") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  // Registered two hours before as-of: inside the 24 h SLA, outside the 1 h one.
  std::string id = tablet.Customer("大客户", "13800000001", "2026-06-15T10:00Z",
                                   {{"budget", "900万"}, {"stage", "buyer"}});
  auto host = BuiltinHost(tablet.store());
  CHECK(AlertsOf(CollectAlerts(tablet.store(), *host, kAsOf), id).empty());

  // Never contacted, so no recency points: the budget and stage alone make tier C.
  SetPluginConfig(tablet.store(), host->Get("alerts"), {{"top_tiers", {"A", "B", "C"}}});
  CHECK(AlertsOf(CollectAlerts(tablet.store(), *host, kAsOf), id) ==
        std::map<std::string, std::string>{
            {"first-response", "not contacted within 1 h of registration (tier C SLA)"}});

  SetPluginConfig(tablet.store(), host->Get("alerts"),
                  {{"top_tiers", {"A", "B", "C"}}, {"rules", {{"first-response", false}}}});
  CHECK(AlertsOf(CollectAlerts(tablet.store(), *host, kAsOf), id).empty());
}

TEST_CASE("holiday greetings 3 days before, from the shipped holidays or head office's own") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  std::string owner = tablet.Customer("业主", "13800000001", "2025-01-01", {{"stage", "owner"}});
  tablet.Interaction(owner, "call", "2026-09-21T10:00Z");
  std::string prospect = tablet.Customer("路人", "13800000002", "2025-01-01");
  tablet.Interaction(prospect, "call", "2026-09-21T10:00Z");
  auto host = BuiltinHost(tablet.store());
  // Mid-Autumn 2026 is 25 September (lunar 8/15, from plugins/alerts/holidays.json): greetings
  // are due from 22 September, 00:00 China time.
  int64_t before = ParseTime("2026-09-21T15:59Z", "as-of");
  int64_t due = ParseTime("2026-09-21T16:00Z", "as-of");
  CHECK(AlertsOf(CollectAlerts(tablet.store(), *host, before), owner).empty());
  AlertsResult result = CollectAlerts(tablet.store(), *host, due);
  CHECK(AlertsOf(result, owner) ==
        std::map<std::string, std::string>{
            {"holiday", "holiday greeting: 中秋 Mid-Autumn Festival on 2026-09-25"}});
  CHECK(AlertsOf(result, prospect).empty());  // not among holiday_stages

  // Head office replaces the list (plugins config alerts --file) and adds prospects.
  SetPluginConfig(tablet.store(), host->Get("alerts"),
                  {{"holiday_stages", {"prospect", "owner"}},
                   {"holidays", {{{"name", "开盘周年 Opening day"}, {"date", "2026-09-23"}}}}});
  CHECK(AlertsOf(CollectAlerts(tablet.store(), *host, due), prospect) ==
        std::map<std::string, std::string>{
            {"holiday", "holiday greeting: 开盘周年 Opening day on 2026-09-23"}});
  CHECK_THROWS_WITH(SetPluginConfig(tablet.store(), host->Get("alerts"),
                                    {{"holidays", {{{"name", "x"}, {"date", "2026-02-30"}}}}}),
                    doctest::Contains("'2026-02-30' is not a date"));
}

}  // namespace
}  // namespace fieldcrm::testing
