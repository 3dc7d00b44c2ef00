#include "fieldcrm/reports/tier_reports.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/reports/filter_choices.h"
#include "fieldcrm/reports/key_figures.h"

namespace fieldcrm::reports {

using nlohmann::json;

namespace {

constexpr const char* kTiersReport = "tiers";

LoadedPlugin& RequireTiering(const PluginHost* plugins) {
  if (plugins == nullptr) {
    throw PluginError("tiers need the tiering plugin, and no plugins are loaded here");
  }
  return plugins->RequireKind("tiering");
}

// Calls each(id, grade now, tier as of since_ms or nullopt) for every customer the filter selects
// (a team's page grades its own only), in id order; the tier then is nullopt for customers who
// were not there yet, and for all without since_ms. The facts now are the reporting
// connection's, kept until the store changes; those at since_ms are read for each page.
template <typename Each>
void ForEachGrade(ReportingConnection& reporting, LoadedPlugin& tiering, const ReportFilter& filter,
                  int64_t now_ms, std::optional<int64_t> since_ms, Each each) {
  Database& db = reporting.db();
  std::vector<std::pair<std::string, sdk::CustomerFacts>> then;
  std::vector<sdk::TierGrade> grades_then;
  if (since_ms) {
    then = LoadCustomerFacts(db, *since_ms, filter.team);
    grades_then = GradeCustomers(db, tiering, then, *since_ms);
  }
  // An agent's or a project's page: only their customers.
  std::optional<std::set<std::string>> selected;
  if (filter.agent || filter.project) {
    selected.emplace();
    Statement& ids = db.Prepare(
        "SELECT id FROM customer_facts WHERE (?1 IS NULL OR agent = ?1) "
        "AND (?2 IS NULL OR project = ?2)");
    ids.Bind(filter.agent, filter.project);
    while (ids.Step()) selected->insert(ids.Text(0));
    ids.Reset();
  }
  const auto& now = reporting.FactsNow(filter.team);
  const std::vector<sdk::TierGrade> grades = GradeCustomers(db, tiering, now, now_ms);
  // Both lists run in id order: one pass pairs them.
  size_t before = 0;
  for (size_t i = 0; i < now.size(); ++i) {
    const std::string& id = now[i].first;
    while (before < then.size() && then[before].first < id) ++before;
    if (selected && !selected->contains(id)) continue;
    std::optional<char> tier_then;
    if (before < then.size() && then[before].first == id) tier_then = grades_then[before].tier;
    each(id, grades[i], tier_then);
  }
}

// Fills the temporary table report_tier_sums(tier, a, b): the sums of a and b over the rows
// (customer, a, b) of per_customer (SQL after CommonSql) by their customer's tier now, for the
// customers the filter selects. Joined here rather than in SQL: a row per graded customer in a
// table to join cost 0.25-0.5 s at 120,000 customers, where the rows (customers with overdue
// tasks, visits of the period) are a fraction of them.
void SumByTier(ReportingConnection& reporting, LoadedPlugin& tiering, const ReportFilter& filter,
               int64_t now_ms, const std::string& per_customer) {
  Database& db = reporting.db();
  struct Row {
    std::string customer;
    int64_t a, b;
  };
  std::vector<Row> rows;
  Statement& read = PrepareReportQuery(db, per_customer, filter, now_ms);
  while (read.Step()) rows.push_back({read.Text(0), read.Int(1), read.Int(2)});
  read.Reset();
  std::sort(rows.begin(), rows.end(),
            [](const Row& x, const Row& y) { return x.customer < y.customer; });
  std::map<char, std::pair<int64_t, int64_t>> sums;
  size_t next = 0;  // both in id order: one pass pairs them
  ForEachGrade(reporting, tiering, filter, now_ms, std::nullopt,
               [&](const std::string& id, const sdk::TierGrade& grade, std::optional<char>) {
                 while (next < rows.size() && rows[next].customer < id) ++next;
                 for (; next < rows.size() && rows[next].customer == id; ++next) {
                   auto& [a, b] = sums[grade.tier];
                   a += rows[next].a;
                   b += rows[next].b;
                 }
               });
  db.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS report_tier_sums(tier TEXT PRIMARY KEY, a INTEGER NOT "
      "NULL, b INTEGER NOT NULL) WITHOUT ROWID");
  db.Exec("DELETE FROM temp.report_tier_sums");
  Statement& insert = db.Prepare("INSERT INTO temp.report_tier_sums VALUES (?, ?, ?)");
  for (const auto& [tier, sum] : sums) {
    insert.Bind(std::string(1, tier), sum.first, sum.second);
    insert.Run();
  }
}

// Fills the temporary table report_grade_counts(tier, segment, previous, customers): how many
// of the customers the filter selects have each grade now and each tier as of since_ms (previous;
// NULL for customers who were not there yet). Counted here rather than in SQL over a row per
// customer: inserting 120,000 rows cost more than all the tiers page's tables.
void CountGrades(ReportingConnection& reporting, LoadedPlugin& tiering, const ReportFilter& filter,
                 int64_t now_ms, int64_t since_ms) {
  Database& db = reporting.db();
  db.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS report_grade_counts(tier TEXT NOT NULL, segment TEXT NOT "
      "NULL, previous TEXT, customers INTEGER NOT NULL)");
  db.Exec("DELETE FROM temp.report_grade_counts");
  std::map<std::tuple<char, uint8_t, std::optional<char>>, int64_t> counts;
  ForEachGrade(reporting, tiering, filter, now_ms, since_ms,
               [&](const std::string&, const sdk::TierGrade& grade, std::optional<char> then) {
                 ++counts[{grade.tier, grade.segment, then}];
               });
  Statement& insert = db.Prepare("INSERT INTO temp.report_grade_counts VALUES (?, ?, ?, ?)");
  for (const auto& [grade, customers] : counts) {
    const auto& [tier, segment, then] = grade;
    std::optional<std::string> previous;
    if (then) previous = std::string(1, *then);
    insert.Bind(std::string(1, tier), SegmentName(segment), previous, customers);
    insert.Run();
  }
}

// The CTE keys(key, ord): every tier (or segment), so that empty ones show as 0 in their order.
std::string KeysCte(const std::vector<std::string>& keys) {
  std::string values;
  for (size_t i = 0; i < keys.size(); ++i) {
    values += (i ? ", ('" : "('") + keys[i] + "', " + std::to_string(i) + ")";
  }
  return ", keys(key, ord) AS (VALUES " + values + ")";
}

std::vector<std::string> Tiers() {
  return {"A", "B", "C", "D"};
}

std::vector<std::string> Segments() {
  std::vector<std::string> out;
  for (uint8_t s : {sdk::kCore, sdk::kPotential, sdk::kDeveloping, sdk::kDormant})
    out.push_back(SegmentName(s));
  return out;
}

// Customers the filter selects, counted by their grade's `column` (tier or segment); with_previous
// adds previous (the count by tier as of the period's start) and change.
std::string CountByGradeSql(const std::string& column, const std::vector<std::string>& keys,
                            bool with_previous) {
  std::string sql =
      KeysCte(keys) + ",\ncounts AS (SELECT g." + column + R"sql( AS key, sum(g.customers) AS n
  FROM temp.report_grade_counts g GROUP BY 1))sql";
  if (!with_previous) {
    return sql + "\nSELECT k.key AS " + column + R"sql(, COALESCE(n.n, 0) AS customers
FROM keys k LEFT JOIN counts n ON n.key = k.key ORDER BY k.ord)sql";
  }
  return sql + R"sql(,
before AS (SELECT g.previous AS key, sum(g.customers) AS n
  FROM temp.report_grade_counts g
  WHERE g.previous IS NOT NULL GROUP BY 1)
SELECT k.key AS )sql" +
         column + R"sql(, COALESCE(n.n, 0) AS customers,
  COALESCE(b.n, 0) AS previous, COALESCE(n.n, 0) - COALESCE(b.n, 0) AS change
FROM keys k LEFT JOIN counts n ON n.key = k.key LEFT JOIN before b ON b.key = k.key
ORDER BY k.ord)sql";
}

json WithChart(json table, const char* label, const char* value) {
  table["chart"] = {{"label", label}, {"value", value}};
  return table;
}

json TiersReport(ReportingConnection& reporting, LoadedPlugin& tiering, const ReportFilter& filter,
                 int64_t now_ms) {
  json out = NewReport(kTiersReport, "Customer tiers (A–D) and RFM segments", filter);
  Transaction txn(reporting.db());  // one snapshot for the grades and the tables
  RequireKnownNames(reporting, filter);
  CountGrades(reporting, tiering, filter, now_ms, filter.since_ms);
  out["tables"].push_back(
      WithChart(RunSqlTable(reporting, filter, now_ms, "by_tier",
                            "Customers by tier, graded now and as of the period's start by the '" +
                                tiering.name() + "' plugin",
                            {{"tier", "Tier"},
                             {"customers", "Customers"},
                             {"previous", "At period start"},
                             {"change", "Change"}},
                            CountByGradeSql("tier", Tiers(), true)),
                "tier", "customers"));
  out["tables"].push_back(
      RunSqlTable(reporting, filter, now_ms, "moves",
                  "How customers moved between tiers since the period's start",
                  {{"from_tier", "From"}, {"to_tier", "To"}, {"customers", "Customers"}},
                  R"sql(
SELECT COALESCE(g.previous, '(new)') AS from_tier, g.tier AS to_tier, sum(g.customers) AS customers
FROM temp.report_grade_counts g
WHERE g.previous IS NOT g.tier GROUP BY 1, 2 ORDER BY 1, 2)sql"));
  out["tables"].push_back(
      WithChart(RunSqlTable(reporting, filter, now_ms, "by_segment",
                            "Customers by RFM segment (value × activity) now",
                            {{"segment", "Segment"}, {"customers", "Customers"}},
                            CountByGradeSql("segment", Segments(), false), kNow),
                "segment", "customers"));
  txn.Commit();
  return out;
}

// A table of a store report computed over the customers' tiers now: per_customer's sums by
// tier (SumByTier), then sql over them (temp.report_tier_sums).
struct TierTable {
  const char* name;
  const char* title;
  std::vector<std::pair<std::string, std::string>> columns;  // the first is the tier
  // After CommonSql (reports.cc): rows (customer, a, b). Its conditions name the parameters
  // (?4 since, ?5 until, ?10 now) rather than p's columns, so that SQLite groups the history
  // in the order it reads it instead of sorting it.
  std::string per_customer;
  std::string sql;  // after CommonSql, over temp.report_tier_sums
  const char* chart_value;
  const char* period = kInPeriod;
};

// Open tasks past due now (the followups report's rule), and their customers, by tier.
TierTable SlaByTier() {
  return {"sla_by_tier",
          "SLA breaches (overdue follow-up tasks) by the customer's tier",
          {{"tier", "Tier"}, {"overdue_tasks", "Overdue tasks"}, {"customers", "Customers"}},
          R"sql(
SELECT o.customer, count(*), 1 FROM owned o
WHERE o.kind = 'task' AND NOT o.done AND o.due_ms < ?10 GROUP BY o.customer)sql",
          KeysCte(Tiers()) + R"sql(
SELECT k.key AS tier, COALESCE(s.a, 0) AS overdue_tasks, COALESCE(s.b, 0) AS customers
FROM keys k LEFT JOIN temp.report_tier_sums s ON s.tier = k.key ORDER BY k.ord)sql",
          "overdue_tasks",
          kNow};
}

// Visits in the period followed up (a follow-up or call within 24 h, the followups report's
// rule) by the customer's tier now: the seeds' follow-up timeliness.
TierTable TimelinessByTier() {
  return {"timeliness_by_tier",
          "Follow-up timeliness: visits in the period followed up within 24 h, by tier",
          {{"tier", "Tier"},
           {"visits", "Visits"},
           {"followed_up", "Followed up ≤24 h"},
           {"timely_pct", "Timely %"}},
          R"sql(
SELECT o.customer, count(*), sum(EXISTS (
         SELECT 1 FROM history_facts n
         WHERE n.kind = 'interaction' AND n.customer = o.customer AND n.type IN ('followup', 'call')
           AND n.at_ms >= o.at_ms AND n.at_ms <= o.at_ms + 86400000))
FROM owned o
WHERE o.kind = 'interaction' AND o.type = 'visit' AND o.at_ms >= ?4 AND o.at_ms < ?5
GROUP BY o.customer)sql",
          KeysCte(Tiers()) + R"sql(
SELECT k.key AS tier, COALESCE(s.a, 0) AS visits, COALESCE(s.b, 0) AS followed_up,
       round(100.0 * s.b / NULLIF(s.a, 0), 1) AS timely_pct
FROM keys k LEFT JOIN temp.report_tier_sums s ON s.tier = k.key ORDER BY k.ord)sql",
          "timely_pct"};
}

// The store report `name` with `table` added: empty, with a "note" saying why, when there is no
// usable tiering plugin.
json WithTierTable(ReportingConnection& reporting, const PluginHost* plugins,
                   const std::string& name, const ReportFilter& filter, int64_t now_ms,
                   const TierTable& table) {
  Transaction txn(reporting.db());  // one snapshot for the SQL tables and the grades
  json out = RunReport(reporting, name, filter, now_ms);
  json& tables = out["tables"];
  try {
    SumByTier(reporting, RequireTiering(plugins), filter, now_ms, table.per_customer);
    tables.push_back(WithChart(RunSqlTable(reporting, filter, now_ms, table.name, table.title,
                                           table.columns, table.sql, table.period),
                               "tier", table.chart_value));
  } catch (const PluginError& e) {
    json empty = NewTable(table.name, table.title, table.columns, table.period);
    empty["note"] = e.what();
    tables.push_back(empty);
  }
  txn.Commit();
  return out;
}

}  // namespace

const std::vector<std::string>& ReportNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = StoreReportNames();
    auto customers = std::find(out.begin(), out.end(), "customers");
    out.insert(customers == out.end() ? out.begin() : customers + 1, kTiersReport);
    return out;
  }();
  return names;
}

namespace {

json ReportTables(ReportingConnection& reporting, const PluginHost* plugins,
                  const std::string& name, const ReportFilter& filter, int64_t now_ms) {
  if (name == kTiersReport) return TiersReport(reporting, RequireTiering(plugins), filter, now_ms);
  if (name == "followups") {
    return WithTierTable(reporting, plugins, name, filter, now_ms, SlaByTier());
  }
  if (name == "retention") {
    return WithTierTable(reporting, plugins, name, filter, now_ms, TimelinessByTier());
  }
  return RunReport(reporting, name, filter, now_ms);
}

}  // namespace

json RunReportWithTiers(ReportingConnection& reporting, const PluginHost* plugins,
                        const std::string& name, const ReportFilter& filter, int64_t now_ms) {
  json report = ReportTables(reporting, plugins, name, filter, now_ms);
  report["key_figures"] = KeyFigures(reporting, name, filter, now_ms);
  return report;
}

json CustomerTier(ReportingConnection& reporting, const PluginHost* plugins,
                  const std::string& root, int64_t now_ms) {
  try {
    LoadedPlugin& tiering = RequireTiering(plugins);
    std::vector<CustomerBundle> bundles = LoadCustomerBundles(reporting.db(), root);
    if (bundles.empty()) return {{"note", "a deleted customer has no tier"}};
    return ExplainTier(tiering, bundles.front(), now_ms);
  } catch (const PluginError& e) {
    return {{"note", e.what()}};
  }
}

}  // namespace fieldcrm::reports
