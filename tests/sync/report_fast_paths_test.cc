// The dashboard's fast paths give the answers of the from-scratch computations they replaced.
// On a head-office store seeded with customers in three teams (some merged as duplicates, some
// deleted, interactions moved in time and deleted, tasks, deals), for the whole company, a team
// and an agent, each table the pages now compute another way equals the same table computed by
// the earlier SQL kept here as the reference:
//   churn            reads each customer's kept latest interaction (customer_facts) instead of
//                    seeking its interactions;
//   followups        by agent: visits and overdue tasks counted per agent apart, then summed;
//   customers        by stage and by team from one pass counting by (team, stage);
//   funnel           its visited customers carry their agent and stage; the row for everyone sums
//                    the agents' rows;
//   key figures      counted in C++ from the events' times instead of grouped in SQL;
//   sla_by_tier,     the tiers of the customers the table reads, summed by tier in C++, instead
//   timeliness_by_tier  of a table of every customer's grade joined in SQL; here the reference
//                    grades each customer alone (the customer page's tier, from its bundle).
#include <doctest/doctest.h>

#include <iostream>
#include <random>

#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/base/env.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/reports/reports.h"
#include "fieldcrm/server/plugin_publishing.h"
#include "fieldcrm/server/sqlite_server_storage.h"
#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 24 * 3600 * 1000;

#define ALL_AGENTS "'(全部 all)'"

// The earlier SQL of each table (after the common CTEs), the reference.
const std::map<std::string, std::string>& ReferenceSql() {
  static const std::map<std::string, std::string> sql = {
      {"customers/by_stage", R"sql(
SELECT stage, count(*) AS customers,
       sum(created_ms >= p.since AND created_ms < p.until) AS new_in_period,
       sum(created_ms >= p.prev AND created_ms < p.since) AS new_previous
FROM cust, p GROUP BY stage
ORDER BY CASE stage WHEN 'prospect' THEN 0 WHEN 'intent' THEN 1 WHEN 'buyer' THEN 2
                    WHEN 'owner' THEN 3 ELSE 4 END)sql"},
      {"customers/by_team", R"sql(
SELECT team, count(*) AS customers, sum(stage = 'owner') AS owners FROM cust
GROUP BY team ORDER BY customers DESC)sql"},
      {"funnel/by_agent", R"sql(
, visited AS (SELECT DISTINCT customer FROM owned, p
              WHERE kind = 'interaction' AND type = 'visit' AND at_ms >= p.since AND at_ms < p.until),
deals AS (SELECT v.customer,
                 COALESCE(max(d.reserved_at IS NOT NULL OR d.signed_at IS NOT NULL), 0) AS reserved,
                 COALESCE(max(d.signed_at IS NOT NULL), 0) AS signed
          FROM visited v LEFT JOIN history_facts d ON d.kind = 'deal' AND d.customer = v.customer
          GROUP BY v.customer),
f AS (SELECT c.agent, (c.stage <> 'prospect' OR d.reserved) AS intent, d.reserved, d.signed
      FROM deals d JOIN cust c ON c.id = d.customer),
g AS (SELECT agent AS grp, * FROM f UNION ALL SELECT )sql" ALL_AGENTS R"sql(, * FROM f),
n AS (SELECT grp, count(*) AS visited, sum(intent) AS intent, sum(reserved) AS reserved,
             sum(signed) AS signed FROM g GROUP BY grp)
SELECT grp AS agent, visited, intent, reserved, signed,
       round(100.0 * intent / visited, 1) AS intent_pct,
       round(100.0 * reserved / NULLIF(intent, 0), 1) AS reserved_pct,
       round(100.0 * signed / NULLIF(reserved, 0), 1) AS signed_pct,
       round(100.0 * signed / visited, 1) AS overall_pct
FROM n ORDER BY grp = )sql" ALL_AGENTS R"sql(, visited DESC, agent)sql"},
      {"churn/by_agent", R"sql(
, f AS (SELECT c.agent, COALESCE((SELECT max(h.at_ms) FROM history_facts h
          WHERE h.kind = 'interaction' AND h.customer = c.id), c.created_ms) < p.cutoff AS risk
      FROM cust c, p WHERE c.stage <> 'owner'),
per AS (SELECT agent AS grp, sum(risk) AS at_risk, count(*) AS customers FROM f GROUP BY agent),
g AS (SELECT * FROM per UNION ALL SELECT )sql" ALL_AGENTS R"sql(, sum(at_risk), sum(customers)
      FROM per GROUP BY 1)
SELECT grp AS agent, at_risk, customers, round(100.0 * at_risk / customers, 1) AS at_risk_pct
FROM g ORDER BY grp = )sql" ALL_AGENTS R"sql(, at_risk DESC, agent)sql"},
      {"churn/customers", R"sql(
, silent AS (SELECT * FROM (
             SELECT c.id, c.name, c.agent, c.team, c.stage,
                    COALESCE((SELECT max(h.at_ms) FROM history_facts h
                      WHERE h.kind = 'interaction' AND h.customer = c.id), c.created_ms) AS since_ms
             FROM cust c WHERE c.stage <> 'owner'), p
           WHERE since_ms < p.cutoff ORDER BY since_ms, id LIMIT 100)
SELECT id, name, agent, team, stage,
       strftime('%Y-%m-%dT%H:%M:%SZ', since_ms / 1000, 'unixepoch') AS last_contact
FROM silent ORDER BY since_ms, id)sql"},
      {"followups/by_agent", R"sql(
, v AS (SELECT customer, agent, at_ms AS at FROM owned, p
         WHERE kind = 'interaction' AND type = 'visit' AND at_ms >= p.since AND at_ms < p.until),
visits AS (SELECT agent, NOT EXISTS (
             SELECT 1 FROM history_facts n
             WHERE n.kind = 'interaction' AND n.customer = v.customer AND n.type IN ('followup', 'call')
               AND n.at_ms >= v.at AND n.at_ms <= v.at + 86400000) AS missed
           FROM v),
t AS (SELECT agent, due_ms AS due FROM owned, p WHERE kind = 'task' AND NOT done AND due_ms < p.now),
events AS (SELECT agent, 1 AS overdue, due, 0 AS visit, 0 AS missed FROM t
         UNION ALL SELECT agent, 0, NULL, 1, missed FROM visits),
per AS (SELECT agent AS grp, sum(overdue) AS overdue_tasks, min(due) AS due, sum(visit) AS visit_count,
               sum(missed) AS missed FROM events GROUP BY agent),
g AS (SELECT * FROM per UNION ALL SELECT )sql" ALL_AGENTS R"sql(, sum(overdue_tasks), min(due),
        sum(visit_count), sum(missed) FROM per GROUP BY 1)
SELECT grp AS agent, overdue_tasks,
       strftime('%Y-%m-%dT%H:%M:%SZ', due / 1000, 'unixepoch') AS oldest_due, visit_count AS visits,
       missed AS visits_without_followup
FROM g ORDER BY grp = )sql" ALL_AGENTS R"sql(, overdue_tasks DESC, agent)sql"},
      {"followups/sla_by_tier", R"sql(
, keys(key, ord) AS (VALUES ('A', 0), ('B', 1), ('C', 2), ('D', 3)),
overdue AS (SELECT o.customer, g.tier FROM owned o CROSS JOIN temp.reference_grades g ON g.customer = o.customer, p
            WHERE o.kind = 'task' AND NOT o.done AND o.due_ms < p.now),
counts AS (SELECT tier AS key, count(*) AS tasks, count(DISTINCT customer) AS n FROM overdue GROUP BY 1)
SELECT k.key AS tier, COALESCE(c.tasks, 0) AS overdue_tasks, COALESCE(c.n, 0) AS customers
FROM keys k LEFT JOIN counts c ON c.key = k.key ORDER BY k.ord)sql"},
      {"retention/timeliness_by_tier", R"sql(
, keys(key, ord) AS (VALUES ('A', 0), ('B', 1), ('C', 2), ('D', 3)),
v AS (SELECT o.customer, o.at_ms AS at, g.tier FROM owned o
        CROSS JOIN temp.reference_grades g ON g.customer = o.customer, p
      WHERE o.kind = 'interaction' AND o.type = 'visit' AND o.at_ms >= p.since AND o.at_ms < p.until),
t AS (SELECT tier AS key, count(*) AS visits, sum(EXISTS (
        SELECT 1 FROM history_facts n
        WHERE n.kind = 'interaction' AND n.customer = v.customer AND n.type IN ('followup', 'call')
          AND n.at_ms >= v.at AND n.at_ms <= v.at + 86400000)) AS followed_up
      FROM v GROUP BY 1)
SELECT k.key AS tier, COALESCE(t.visits, 0) AS visits, COALESCE(t.followed_up, 0) AS followed_up,
       round(100.0 * t.followed_up / NULLIF(t.visits, 0), 1) AS timely_pct
FROM keys k LEFT JOIN t ON t.key = k.key ORDER BY k.ord)sql"},
  };
  return sql;
}

// The earlier key figures' SQL: events grouped by quarter hour, then counted per period.
const std::map<std::string, std::string>& ReferenceEvents() {
  static const std::map<std::string, std::string> events = {
      {"new_customers", "SELECT created_ms AS t FROM cust"},
      {"visits", "SELECT at_ms AS t FROM owned WHERE kind = 'interaction' AND type = 'visit'"},
      {"followups",
       "SELECT at_ms AS t FROM owned WHERE kind = 'interaction' AND type IN ('followup', 'call')"},
      {"deals_signed", "SELECT signed_ms AS t FROM owned WHERE kind = 'deal'"},
  };
  return events;
}

json ReferenceFigure(ReportingConnection& reporting, const reports::ReportFilter& filter,
                     int64_t now_ms, const std::string& key) {
  constexpr int64_t kQuarterHourMs = 15 * 60 * 1000;
  json counts = reports::RunSqlTable(
      reporting, filter, now_ms, key, key, {{"q", "q"}, {"n", "n"}},
      ", ev AS (" + ReferenceEvents().at(key) + ")\nSELECT ev.t / " +
          std::to_string(kQuarterHourMs) +
          " AS q, count(*) AS n FROM ev, p WHERE ev.t >= p.prev AND ev.t < p.until GROUP BY 1");
  int64_t value = 0, previous = 0;
  for (const json& row : counts["rows"]) {
    (row["q"].get<int64_t>() * kQuarterHourMs < filter.since_ms ? previous : value) +=
        row["n"].get<int64_t>();
  }
  return {value, previous};
}

const json& Table(const json& report, const std::string& name) {
  for (const json& table : report["tables"]) {
    if (table["name"] == name) return table;
  }
  FAIL("no table " << name);
  static const json none;
  return none;
}

// A head-office store over three teams: customers registered over two months (some sharing a
// phone, merged), visits, follow-ups and calls (some back-dated, moved or deleted), tasks (open,
// done, due or not), deals reserved and signed; a few customers deleted. Returns the live roots.
std::vector<std::string> Seed(Store& store, int64_t now) {
  std::mt19937 rng(11);
  Customers people(store);
  Activities activities(store);
  std::vector<std::string> ids, interactions;
  for (int i = 0; i < 160; ++i) {
    int agent = static_cast<int>(rng() % 6);
    ids.push_back(
        people
            .Add({{"name", "客户" + std::to_string(i)},
                  {"phone", "1390000" + std::to_string(1000 + rng() % 1000)},
                  {"agent", "顾问" + std::to_string(agent)},
                  {"team", "团队" + std::to_string(agent % 3)},
                  {"stage", kStages[rng() % kStages.size()]},
                  {"budget", std::to_string(100 + rng() % 600) + "万"},
                  {"created_at", FormatTime(now - static_cast<int64_t>(rng() % 60) * kDay -
                                            static_cast<int64_t>(rng() % 1440) * 60000)}})
            .id);
  }
  for (int i = 0; i < 500; ++i) {
    const std::string& id = ids[rng() % ids.size()];
    int64_t at = now - static_cast<int64_t>(rng() % (70 * 24)) * 3600 * 1000;
    switch (rng() % 6) {
      case 0:
      case 1:
      case 2:
        interactions.push_back(activities.AddInteraction(
            id, {.type = kInteractionTypes[rng() % 3], .at_ms = at, .minutes = 30}));
        break;
      case 3: {
        std::string task = activities.AddTask(id, at + static_cast<int64_t>(rng() % 20) * kDay, "");
        if (rng() % 3 == 0) activities.CompleteTask(task);
        break;
      }
      case 4:
        activities.AddDeal(id, "1-" + std::to_string(i), 2'000'000 + rng() % 1000,
                           kDealStatuses[rng() % kDealStatuses.size()]);
        break;
      default: {
        const std::string& earlier =
            interactions.empty() ? id : interactions[rng() % interactions.size()];
        if (earlier == id) break;
        store.Write(
            "interaction", earlier,
            rng() % 2 ? FieldValues{{"at", FormatTime(at)}} : FieldValues{{kDeletedField, true}});
      }
    }
  }
  // Duplicates (shared phones) merged, and some customers deleted.
  MergeCustomersSharingPhone(store, ids);
  for (int i = 0; i < 8; ++i) {
    try {
      people.Delete(ids[rng() % ids.size()]);
    } catch (const std::exception&) {
      // Already merged into another, or deleted.
    }
  }
  std::vector<std::string> live;
  Statement& roots = StoreDatabase(store).Prepare("SELECT id FROM customer_facts ORDER BY id");
  while (roots.Step()) live.push_back(roots.Text(0));
  roots.Reset();
  return live;
}

TEST_CASE("the dashboard's fast paths equal the from-scratch answers") {
  TempDir dir;
  const int64_t now = ParseTime("2026-11-20T10:00:00Z", "now");
  ManualEnv env(now);
  sync::SqliteServerStorage storage(dir.File("office.db"), env);
  const std::vector<std::string> live = Seed(storage.store(), now);
  REQUIRE(live.size() > 100);
  storage.UsePlugins([&storage] {
    return sync::LoadServerPlugins(storage, {FIELDCRM_BINARY_DIR "/plugins", true, {}, {}},
                                   PluginRunOptions(PluginIsolation::kNone, {}), std::cerr);
  });
  ReportingConnection reporting(storage.store().path());

  // Each customer graded alone, as the customer page does: the reference's tiers.
  reporting.db().Exec(
      "CREATE TEMP TABLE reference_grades(customer TEXT PRIMARY KEY, tier TEXT NOT NULL)");
  Statement& grade = reporting.db().Prepare("INSERT INTO temp.reference_grades VALUES (?, ?)");
  std::map<std::string, int> tiers;
  for (const std::string& id : live) {
    json page = storage.Report("customer", {{"id", id}}, [] { return false; });
    REQUIRE(page["tier"].contains("tier"));
    grade.Bind(id, page["tier"]["tier"].get<std::string>()).Run();
    ++tiers[page["tier"]["tier"].get<std::string>()];
  }
  CHECK(tiers.size() > 1);  // the tier tables sum over more than one tier

  for (const std::map<std::string, std::string>& params :
       {std::map<std::string, std::string>{},
        {{"team", "团队1"}},
        {{"agent", "顾问2"}},
        {{"from", "2026-10-25T00:00:00Z"}, {"to", "2026-11-12T00:00:00Z"}}}) {
    CAPTURE(json(params).dump());
    const reports::ReportFilter filter = reports::ParseFilter(params, now);
    for (const auto& [path, sql] : ReferenceSql()) {
      CAPTURE(path);
      const std::string page = path.substr(0, path.find('/')), name = path.substr(page.size() + 1);
      const json table = Table(storage.Report(page, params, [] { return false; }), name);
      std::vector<std::pair<std::string, std::string>> columns;
      for (const json& column : table["columns"])
        columns.emplace_back(column["key"], column["label"]);
      json reference = reports::RunSqlTable(reporting, filter, now, name, name, columns, sql);
      REQUIRE(!table["rows"].empty());
      CHECK(table["rows"] == reference["rows"]);
    }
    for (const char* page : {"customers", "funnel", "followups"}) {
      CAPTURE(page);
      json figures = storage.Report(page, params, [] { return false; })["key_figures"]["figures"];
      for (const json& figure : figures) {
        CAPTURE(figure["key"]);
        CHECK(json{figure["value"], figure["previous"]} ==
              ReferenceFigure(reporting, filter, now, figure["key"]));
      }
    }
  }
}

#undef ALL_AGENTS

}  // namespace
}  // namespace fieldcrm::testing
