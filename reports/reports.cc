#include "fieldcrm/reports/reports.h"

#include <algorithm>
#include <memory>

#include "fieldcrm/base/error.h"
#include "fieldcrm/base/utf8.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/reports/filter_choices.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::reports {

using nlohmann::json;

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kDefaultPeriodDays = 30;
constexpr int64_t kChurnDays = 30;  // no interaction for this long: at risk

// Every query starts with these: the filter as one row (p), the live customers it selects (cust),
// and the records hanging off them (owned), all from the fact tables
// (core/projections/include/fieldcrm/projections/facts.h): narrow typed rows, so that no report
// parses a JSON document per customer. cust and owned are NOT MATERIALIZED so that each use reads
// only the kinds it needs (history_facts is clustered by kind); materialised, every report copied
// all history first. Parameters: ?1 team, ?2 agent, ?3 project, ?4..?6 since/until/previous-since
// as unix ms, ?7..?9 the same as clock stamps, ?10 now, ?11 the churn cutoff (ms).
// cust names only the filters that are set (CommonSql): a condition "?1 IS NULL OR team = ?1"
// cost every report ~0.1 s per pass over 120,000 customers. (An index by team is left out: SQLite
// then read every customer through it for the customer list, a seek per customer.)
constexpr const char* kCommonParameters = R"sql(
WITH p AS (SELECT ?1 AS only_team, ?2 AS only_agent, ?3 AS only_project, ?4 AS since, ?5 AS until, ?6 AS prev,
                  ?7 AS since_hlc, ?8 AS until_hlc, ?9 AS prev_hlc, ?10 AS now, ?11 AS cutoff),
cust AS NOT MATERIALIZED (
  SELECT c.* FROM customer_facts c WHERE 1)sql";
constexpr const char* kCommonOwned = R"sql(),
owned AS NOT MATERIALIZED (
  SELECT h.*, c.agent, c.name, c.team, c.stage FROM history_facts h JOIN cust c ON c.id = h.customer)
)sql";

std::string CommonSql(const ReportFilter& filter) {
  std::string sql = kCommonParameters;
  if (filter.team) sql += " AND c.team = ?1";
  if (filter.agent) sql += " AND c.agent = ?2";
  if (filter.project) sql += " AND c.project = ?3";
  return sql + kCommonOwned;
}

// A time in unix ms as the ISO text the rest of fieldcrm shows (FormatTime).
#define FIELDCRM_ISO(ms) "strftime('%Y-%m-%dT%H:%M:%SZ', " ms " / 1000, 'unixepoch')"

struct Table {
  const char* name;
  const char* title;
  std::vector<std::pair<std::string, std::string>> columns;  // key (a column of sql), label
  const char* sql;                                           // after CommonSql
  const char* chart_label = nullptr;                         // bar chart of value by label
  const char* chart_value = nullptr;
  const char* period = kInPeriod;  // the time its figures cover (reports.h)
};

// A temporary table that several tables of a report read instead of each passing over every
// customer: its definition and the SQL (after CommonSql) filling it for the report's filter.
struct Summary {
  const char* create;  // CREATE TEMP TABLE IF NOT EXISTS name(...)
  const char* name;
  const char* fill;  // INSERT INTO temp.name ...
};

struct Report {
  const char* name;
  const char* title;
  std::vector<Table> tables;
  std::optional<Summary> summary = std::nullopt;  // filled before the tables run
};

// The customers the filter selects counted by team and stage, with those registered in the
// period and in the previous one: the customers page's tables by stage and by team each passed
// over every customer (0.1-0.2 s each at 120,000 customers).
constexpr Summary kCustomerCounts{
    "CREATE TEMP TABLE IF NOT EXISTS report_customer_counts(team TEXT NOT NULL, stage TEXT NOT "
    "NULL, customers INTEGER NOT NULL, new_in_period INTEGER, new_previous INTEGER)",
    "report_customer_counts", R"sql(
INSERT INTO temp.report_customer_counts
SELECT team, stage, count(*), sum(created_ms >= p.since AND created_ms < p.until),
       sum(created_ms >= p.prev AND created_ms < p.since)
FROM cust, p GROUP BY team, stage)sql"};

// Whether customer c (a live one) is the referee of a referral record: a seek by history_facts'
// key. Joined to a list of them instead, SQLite may scan the list for every row (it planned the
// funnel's deals so once cust named only the filters set: 20 s at 120,000 customers).
#define FIELDCRM_REFERRED(c) \
  "EXISTS (SELECT 1 FROM history_facts x WHERE x.kind = 'referral' AND x.customer = " c ")"

// Rows of the tables below that sum per agent also get a row for everyone, from the same CTE.
// Where the sums add up, the row for everyone sums the agents' rows (`per`), so that the rows are
// grouped once rather than twice over (GROUP BY 1 of a constant: no row when there are none).
#define FIELDCRM_ALL_AGENTS "'(全部 all)'"

// Complaints or repairs opened in the period, with their clocks, grouped by the customer's
// `group` (team or project), plus a row for everyone: cases, the share of customers with one,
// the hours to the first step (answer, attendance) and to the end (resolution, fix), the share
// of cases that met the seeds' limits (first_limit_ms, done_limit_ms), still open now,
// satisfaction at closing.
std::string ServiceCaseSql(const char* kind, const char* group, int64_t first_limit_ms,
                           int64_t done_limit_ms) {
  std::string g = std::string("COALESCE(NULLIF(c.") + group + ", ''), '-')";
  return R"sql(
, cases AS (SELECT s.*, )sql" +
         g + R"sql( AS grp FROM service_cases s JOIN cust c ON c.id = s.customer, p
            WHERE s.kind = ')sql" +
         kind +
         R"sql(' AND s.opened_ms >= p.since AND s.opened_ms < p.until),
f AS (SELECT * FROM cases UNION ALL SELECT id, kind, customer, category, severity, channel, handler,
        opened_ms, first_ms, resolved_ms, closed_ms, satisfaction, )sql" FIELDCRM_ALL_AGENTS
         R"sql( FROM cases),
n AS (SELECT )sql" +
         g + R"sql( AS grp, count(*) AS customers FROM cust c GROUP BY 1
      UNION ALL SELECT )sql" FIELDCRM_ALL_AGENTS R"sql(, count(*) FROM cust)
SELECT n.grp AS grp, n.customers, count(f.id) AS cases,
       round(100.0 * count(DISTINCT f.customer) / n.customers, 2) AS rate_pct,
       round(avg((f.first_ms - f.opened_ms) / 3600000.0), 1) AS first_hours,
       round(100.0 * sum(f.first_ms - f.opened_ms <= )sql" +
         std::to_string(first_limit_ms) +
         R"sql() / NULLIF(count(f.id), 0), 1) AS first_in_time_pct,
       round(avg((f.resolved_ms - f.opened_ms) / 3600000.0), 1) AS done_hours,
       round(100.0 * sum(f.resolved_ms - f.opened_ms <= )sql" +
         std::to_string(done_limit_ms) +
         R"sql() / NULLIF(count(f.id), 0), 1) AS done_in_time_pct,
       count(f.id) - count(f.resolved_ms) - count(f.closed_ms) AS still_open,
       round(avg(f.satisfaction), 2) AS satisfaction
FROM n LEFT JOIN f ON f.grp = n.grp GROUP BY n.grp
ORDER BY n.grp = )sql" FIELDCRM_ALL_AGENTS R"sql(, cases DESC, n.grp)sql";
}

// SQL built once, kept for the life of the process (Table holds plain pointers).
const char* Persist(std::string sql) {
  static std::vector<std::unique_ptr<std::string>> kept;
  return kept.emplace_back(std::make_unique<std::string>(std::move(sql)))->c_str();
}

Table ComplaintTable(const char* name, const char* group, const char* label) {
  return {name,
          "Complaints opened in the period: rate, answered within 2 h, resolved within 48 h",
          {{"grp", label},
           {"customers", "Customers"},
           {"cases", "Complaints"},
           {"rate_pct", "Complaint rate %"},
           {"first_hours", "Hours to answer"},
           {"first_in_time_pct", "Answered ≤2 h %"},
           {"done_hours", "Hours to resolve"},
           {"done_in_time_pct", "Resolved ≤48 h %"},
           {"still_open", "Open"},
           {"satisfaction", "Satisfaction (1-5)"}},
          Persist(ServiceCaseSql("complaint", group, 2 * kHourMs, 48 * kHourMs)),
          "grp",
          "cases"};
}

const std::vector<Report>& Reports() {
  static const std::vector<Report> reports = {
      {"customers",
       "Customers by lifecycle stage",
       {{"by_stage",
         "Customers by stage now, and new ones in this period vs the previous one",
         {{"stage", "Stage"},
          {"customers", "Customers"},
          {"new_in_period", "New (period)"},
          {"new_previous", "New (previous)"}},
         R"sql(
SELECT stage, sum(customers) AS customers, sum(new_in_period) AS new_in_period,
       sum(new_previous) AS new_previous
FROM temp.report_customer_counts GROUP BY stage
ORDER BY CASE stage WHEN 'prospect' THEN 0 WHEN 'intent' THEN 1 WHEN 'buyer' THEN 2
                    WHEN 'owner' THEN 3 ELSE 4 END)sql",
         "stage",
         "customers"},
        {"moves",
         "Customers moving into each stage (a change of stage: registering is not a move; a "
         "merged customer counts once): this period vs the previous one",
         {{"stage", "Stage"},
          {"moved_in_period", "Moved in (period)"},
          {"moved_previous", "Moved in (previous)"}},
         R"sql(
SELECT m.stage AS stage,
       count(DISTINCT CASE WHEN m.hlc >= p.since_hlc THEN c.id END) AS moved_in_period,
       count(DISTINCT CASE WHEN m.hlc < p.since_hlc THEN c.id END) AS moved_previous
FROM stage_moves m JOIN cust c ON c.id = m.customer, p
WHERE m.hlc >= p.prev_hlc AND m.hlc < p.until_hlc
GROUP BY 1 ORDER BY 2 DESC)sql"},
        {"by_team",
         "Customers by team now",
         {{"team", "Team"}, {"customers", "Customers"}, {"owners", "Owners"}},
         "SELECT team, sum(customers) AS customers, sum(CASE WHEN stage = 'owner' THEN "
         "customers ELSE 0 END) AS owners FROM temp.report_customer_counts "
         "GROUP BY team ORDER BY customers DESC",
         "team",
         "customers",
         kNow}},
       kCustomerCounts},
      // visited names the parameters (?4, ?5) rather than p's columns: with the one-row p as the
      // outer loop SQLite no longer sees the history in customer order and sorts it to group.
      {"funnel",
       "Funnel: visits → intent → reserved → signed",
       {{"by_agent",
         "Customers visited in the period and how far they got, per agent",
         {{"agent", "Agent"},
          {"visited", "Visited"},
          {"intent", "Intent"},
          {"reserved", "Reserved"},
          {"signed", "Signed"},
          {"intent_pct", "Visit→intent %"},
          {"reserved_pct", "Intent→reserved %"},
          {"signed_pct", "Reserved→signed %"},
          {"overall_pct", "Visit→signed %"}},
         R"sql(
, visited AS (SELECT customer, agent, stage FROM owned
              WHERE kind = 'interaction' AND type = 'visit' AND at_ms >= ?4 AND at_ms < ?5
              GROUP BY customer),
deals AS (SELECT v.agent, v.stage,
                 EXISTS (SELECT 1 FROM history_facts d WHERE d.kind = 'deal' AND d.customer = v.customer
                           AND (d.reserved_at IS NOT NULL OR d.signed_at IS NOT NULL)) AS reserved,
                 EXISTS (SELECT 1 FROM history_facts d WHERE d.kind = 'deal' AND d.customer = v.customer
                           AND d.signed_at IS NOT NULL) AS signed
          FROM visited v),
per AS (SELECT agent AS grp, count(*) AS visited, sum(stage <> 'prospect' OR reserved) AS intent,
               sum(reserved) AS reserved, sum(signed) AS signed FROM deals GROUP BY agent),
n AS (SELECT * FROM per UNION ALL SELECT )sql" FIELDCRM_ALL_AGENTS
         R"sql(, sum(visited), sum(intent),
        sum(reserved), sum(signed) FROM per GROUP BY 1)
SELECT grp AS agent, visited, intent, reserved, signed,
       round(100.0 * intent / visited, 1) AS intent_pct,
       round(100.0 * reserved / NULLIF(intent, 0), 1) AS reserved_pct,
       round(100.0 * signed / NULLIF(reserved, 0), 1) AS signed_pct,
       round(100.0 * signed / visited, 1) AS overall_pct
FROM n ORDER BY grp = )sql" FIELDCRM_ALL_AGENTS R"sql(, visited DESC, agent)sql",
         "agent",
         "overall_pct"}}},
      {"followups",
       "Follow-up discipline",
       {{"by_agent",
         "Overdue follow-up tasks now, and visits in the period without a follow-up within 24 h",
         {{"agent", "Agent"},
          {"overdue_tasks", "Overdue tasks"},
          {"oldest_due", "Oldest due"},
          {"visits", "Visits"},
          {"visits_without_followup", "No follow-up in 24 h"}},
         R"sql(
-- Missed: no follow-up (or call) to the customer within 24 h from the visit on.
, visits AS (SELECT agent AS grp, count(*) AS visit_count, sum(NOT EXISTS (
               SELECT 1 FROM history_facts n
               WHERE n.kind = 'interaction' AND n.customer = o.customer AND n.type IN ('followup', 'call')
                 AND n.at_ms >= o.at_ms AND n.at_ms <= o.at_ms + 86400000)) AS missed
             FROM owned o WHERE kind = 'interaction' AND type = 'visit' AND at_ms >= ?4 AND at_ms < ?5
             GROUP BY agent),
tasks AS (SELECT agent AS grp, count(*) AS overdue_tasks, min(due_ms) AS due FROM owned
          WHERE kind = 'task' AND NOT done AND due_ms < ?10 GROUP BY agent),
-- Each agent's visits and tasks counted apart, then put side by side: a list of both events
-- grouped by agent was materialised first and took twice the work at 120,000 customers.
per AS (SELECT grp, sum(overdue_tasks) AS overdue_tasks, min(due) AS due,
               sum(visit_count) AS visit_count, sum(missed) AS missed FROM (
          SELECT grp, overdue_tasks, due, 0 AS visit_count, 0 AS missed FROM tasks
          UNION ALL SELECT grp, 0, NULL, visit_count, missed FROM visits) GROUP BY grp),
g AS (SELECT * FROM per UNION ALL SELECT )sql" FIELDCRM_ALL_AGENTS
         R"sql(, sum(overdue_tasks), min(due),
        sum(visit_count), sum(missed) FROM per GROUP BY 1)
SELECT grp AS agent, overdue_tasks, )sql" FIELDCRM_ISO(
             "due") R"sql( AS oldest_due, visit_count AS visits,
       missed AS visits_without_followup
FROM g ORDER BY grp = )sql" FIELDCRM_ALL_AGENTS R"sql(, overdue_tasks DESC, agent)sql",
         "agent",
         "overdue_tasks"}}},
      {"churn",
       "Churn risk now: no interaction for 30 days",
       {{"by_agent",
         "Customers (not yet owners) without any interaction for the last 30 days, per agent",
         {{"agent", "Agent"},
          {"at_risk", "At risk"},
          {"customers", "Customers"},
          {"at_risk_pct", "At risk %"}},
         R"sql(
, f AS (SELECT c.agent, COALESCE(c.last_interaction_ms, c.created_ms) < p.cutoff AS risk
      FROM cust c, p WHERE c.stage <> 'owner'),
per AS (SELECT agent AS grp, sum(risk) AS at_risk, count(*) AS customers FROM f GROUP BY agent),
g AS (SELECT * FROM per UNION ALL SELECT )sql" FIELDCRM_ALL_AGENTS
         R"sql(, sum(at_risk), sum(customers)
      FROM per GROUP BY 1)
SELECT grp AS agent, at_risk, customers, round(100.0 * at_risk / customers, 1) AS at_risk_pct
FROM g ORDER BY grp = )sql" FIELDCRM_ALL_AGENTS R"sql(, at_risk DESC, agent)sql",
         "agent",
         "at_risk_pct",
         kNow},
        {"customers",
         "The 100 longest silent",
         {{"id", "Id"},
          {"name", "Name"},
          {"agent", "Agent"},
          {"team", "Team"},
          {"stage", "Stage"},
          {"last_contact", "Last contact"}},
         R"sql(
, silent AS (SELECT * FROM (
             SELECT c.id, c.name, c.agent, c.team, c.stage,
                    COALESCE(c.last_interaction_ms, c.created_ms) AS since_ms
             FROM cust c WHERE c.stage <> 'owner'), p
           WHERE since_ms < p.cutoff ORDER BY since_ms, id LIMIT 100)
SELECT id, name, agent, team, stage, )sql" FIELDCRM_ISO("since_ms") R"sql( AS last_contact
FROM silent ORDER BY since_ms, id)sql",
         nullptr,
         nullptr,
         kNow}}},
      {"referrals",
       "Referral programme (老带新)",
       {{"share",
         "Deals signed in the period, and how many came through a referral",
         {{"signed_deals", "Signed deals"},
          {"referred", "Referred"},
          {"referral_share_pct", "Referral share %"},
          {"rewards", "Rewards granted"},
          {"points", "Points granted"}},
         R"sql(
, signed AS (SELECT o.customer, (c.source = 'referral' OR )sql" FIELDCRM_REFERRED(
             "o.customer") R"sql() AS ref
           FROM owned o JOIN cust c ON c.id = o.customer, p
           WHERE o.kind = 'deal' AND o.signed_ms >= p.since AND o.signed_ms < p.until),
granted AS (SELECT count(*) AS rewards, COALESCE(sum(points), 0) AS points
            FROM owned, p WHERE kind = 'reward' AND granted_ms >= p.since AND granted_ms < p.until)
SELECT count(s.customer) AS signed_deals, COALESCE(sum(s.ref), 0) AS referred,
       round(100.0 * sum(s.ref) / NULLIF(count(s.customer), 0), 1) AS referral_share_pct,
       g.rewards, g.points
FROM granted g LEFT JOIN signed s ON 1)sql"},
        {"referred_customers",
         "Customers who came through a referral (source 'referral' or the referee of a "
         "referral record): registered in the period, and all live ones",
         {{"registered", "Registered (period)"},
          {"referred", "Referred (period)"},
          {"referred_pct", "Referred %"},
          {"referred_all", "Referred (all live)"},
          {"without_referrer", "No referrer on record"}},
         R"sql(
, linked AS (SELECT DISTINCT customer FROM owned WHERE kind = 'referral'),
r AS (SELECT c.created_ms >= p.since AND c.created_ms < p.until AS in_period,
             (c.source = 'referral' OR l.customer IS NOT NULL) AS referred,
             l.customer IS NULL AS without_referrer
      FROM cust c LEFT JOIN linked l ON l.customer = c.id, p)
SELECT COALESCE(sum(in_period), 0) AS registered, COALESCE(sum(in_period AND referred), 0) AS referred,
       round(100.0 * sum(in_period AND referred) / NULLIF(sum(in_period), 0), 1) AS referred_pct,
       COALESCE(sum(referred), 0) AS referred_all,
       COALESCE(sum(referred AND without_referrer), 0) AS without_referrer
FROM r)sql"},
        {"leaderboard",
         "Referrers: referrals brought, rewards and points (all time)",
         {{"referrer", "Referrer"},
          {"referrals", "Referrals"},
          {"rewards", "Rewards"},
          {"points", "Points"}},
         R"sql(
, link AS (SELECT kind, points, referrer_root AS referrer FROM owned
           WHERE kind IN ('referral', 'reward') AND referrer_root IS NOT NULL)
SELECT rc.name AS referrer, sum(l.kind = 'referral') AS referrals,
       sum(l.kind = 'reward') AS rewards, sum(l.points) AS points
FROM link l JOIN customer_facts rc ON rc.id = l.referrer
GROUP BY l.referrer ORDER BY points DESC, referrals DESC, referrer LIMIT 50)sql",
         "referrer",
         "referrals",
         kAllTime}}},
      {"complaints",
       "Complaints (投诉) and repairs (报修): rate, time to answer, time to resolve",
       {ComplaintTable("by_project", "project", "Project"),
        ComplaintTable("by_team", "team", "Team"),
        {"repairs",
         "Repairs opened in the period by project: attended on site within 48 h, fixed",
         {{"grp", "Project"},
          {"cases", "Repairs"},
          {"first_hours", "Hours to attend"},
          {"first_in_time_pct", "Attended ≤48 h %"},
          {"done_hours", "Hours to fix"},
          {"still_open", "Open"},
          {"satisfaction", "Satisfaction (1-5)"}},
         Persist(ServiceCaseSql("repair", "project", 48 * kHourMs, 48 * kHourMs)),
         "grp",
         "cases"}}},
      {"retention",
       "Retention: repurchase and referral share of sales (target 30%), tag coverage",
       {{"share",
         "Deals signed in the period: repeat buyers' and referred customers' share, by team",
         {{"grp", "Team"},
          {"signed_deals", "Signed deals"},
          {"repurchases", "Repurchases"},
          {"referred", "Referred"},
          {"repurchase_pct", "Repurchase %"},
          {"referral_pct", "Referral %"},
          {"retention_pct", "Repurchase or referral %"},
          {"referral_target_pct", "Referral target %"}},
         R"sql(
, signed AS (SELECT COALESCE(NULLIF(o.team, ''), '-') AS grp,
                  (c.source = 'referral' OR )sql" FIELDCRM_REFERRED("o.customer") R"sql() AS ref,
                  EXISTS (SELECT 1 FROM history_facts e
                          WHERE e.kind = 'deal' AND e.customer = o.customer AND e.id <> o.id
                            AND e.status IN ('signed', 'handed-over') AND e.signed_ms < o.signed_ms) AS rep
           FROM owned o JOIN cust c ON c.id = o.customer, p
           WHERE o.kind = 'deal' AND o.signed_ms >= p.since AND o.signed_ms < p.until),
g AS (SELECT * FROM signed UNION ALL SELECT )sql" FIELDCRM_ALL_AGENTS R"sql(, ref, rep FROM signed)
SELECT grp, count(*) AS signed_deals, sum(rep) AS repurchases, sum(ref) AS referred,
       round(100.0 * sum(rep) / count(*), 1) AS repurchase_pct,
       round(100.0 * sum(ref) / count(*), 1) AS referral_pct,
       round(100.0 * sum(rep OR ref) / count(*), 1) AS retention_pct, 30 AS referral_target_pct
FROM g GROUP BY grp ORDER BY grp = )sql" FIELDCRM_ALL_AGENTS R"sql(, signed_deals DESC, grp)sql",
         "grp",
         "referral_pct"},
        {"tags",
         "Tag coverage: live customers with at least one tag, by team",
         {{"grp", "Team"},
          {"customers", "Customers"},
          {"tagged", "Tagged"},
          {"coverage_pct", "Coverage %"}},
         R"sql(
, t AS (SELECT COALESCE(NULLIF(c.team, ''), '-') AS grp, c.tags > 0 AS tagged FROM cust c),
per AS (SELECT grp, count(*) AS customers, sum(tagged) AS tagged FROM t GROUP BY grp),
g AS (SELECT * FROM per UNION ALL SELECT )sql" FIELDCRM_ALL_AGENTS
         R"sql(, sum(customers), sum(tagged)
      FROM per GROUP BY 1)
SELECT grp, customers, tagged, round(100.0 * tagged / customers, 1) AS coverage_pct
FROM g ORDER BY grp = )sql" FIELDCRM_ALL_AGENTS R"sql(, customers DESC, grp)sql",
         "grp",
         "coverage_pct"}}},
      {"surveys",
       "Surveys: NPS and satisfaction",
       {{"by_month",
         "NPS (promoters % − detractors %) and average satisfaction by month",
         {{"month", "Month"},
          {"responses", "Responses"},
          {"nps", "NPS"},
          {"satisfaction", "Satisfaction"}},
         R"sql(
, r AS (SELECT strftime('%Y-%m', at_ms / 1000, 'unixepoch') AS month, nps, satisfaction
        FROM owned, p WHERE kind = 'survey_response' AND at_ms >= p.since AND at_ms < p.until)
SELECT month, count(*) AS responses,
       round(100.0 * (sum(nps >= 9) - sum(nps <= 6)) / NULLIF(count(nps), 0), 1) AS nps,
       round(avg(satisfaction), 2) AS satisfaction
FROM r GROUP BY month ORDER BY month)sql",
         "month",
         "nps"},
        {"comments",
         "Free-text answers in the period (latest 200)",
         {{"at", "At"},
          {"name", "Customer"},
          {"agent", "Agent"},
          {"question", "Question"},
          {"answer", "Answer"}},
         R"sql(
, r AS (SELECT o.at, o.at_ms, o.name, o.agent, x.answers, s.definition FROM owned o, p
        JOIN survey_answers x ON x.id = o.id
        JOIN survey_definitions s ON s.key = o.survey
        WHERE o.kind = 'survey_response' AND o.at_ms >= p.since AND o.at_ms < p.until)
SELECT r.at, r.name, r.agent, json_extract(q.value, '$.text') AS question,
       json_extract(r.answers, '$."' || json_extract(q.value, '$.id') || '"') AS answer
FROM r, json_each(json_extract(r.definition, '$.questions')) q
WHERE json_extract(q.value, '$.type') = 'text' AND answer IS NOT NULL AND answer <> ''
ORDER BY r.at_ms DESC, r.at DESC LIMIT 200)sql"}}},
  };
  return reports;
}

#undef FIELDCRM_REFERRED
#undef FIELDCRM_ALL_AGENTS
#undef FIELDCRM_ISO

json RunTable(Database& db, const Table& table, const ReportFilter& filter, int64_t now_ms) {
  json out = NewTable(table.name, table.title, table.columns, table.period);
  if (table.chart_label)
    out["chart"] = {{"label", table.chart_label}, {"value", table.chart_value}};
  // SQLite builds the rows as JSON itself, in the declared column order: the table's last SELECT
  // (the only one starting a line) becomes the CTE report_rows. A table's own CTEs continue
  // CommonSql's WITH list (their text starts with a comma).
  std::string object;
  for (const auto& [key, label] : table.columns) {
    object += (object.empty() ? "'" : ", '") + key + "', " + key;
  }
  std::string sql = std::string("\n") + table.sql;
  size_t last_select = sql.rfind("\nSELECT ");
  sql = sql.substr(0, last_select) + ", report_rows AS (" + sql.substr(last_select) +
        ")\nSELECT json_group_array(json_object(" + object + ")) FROM report_rows";
  Statement& stmt = PrepareReportQuery(db, sql, filter, now_ms);
  stmt.Step();
  out["rows"] = json::parse(stmt.Text(0));
  stmt.Reset();
  return out;
}

}  // namespace

Statement& PrepareReportQuery(Database& db, const std::string& sql, const ReportFilter& filter,
                              int64_t now_ms) {
  const int64_t length = filter.until_ms - filter.since_ms;
  auto hlc = [](int64_t ms) { return static_cast<int64_t>(HlcFromMillis(ms)); };
  return db.Prepare(CommonSql(filter) + "\n" + sql)
      .Bind(filter.team, filter.agent, filter.project, filter.since_ms, filter.until_ms,
            filter.since_ms - length, hlc(filter.since_ms), hlc(filter.until_ms),
            hlc(filter.since_ms - length), now_ms, now_ms - kChurnDays * kDayMs);
}

ReportFilter ParseFilter(const std::map<std::string, std::string>& params, int64_t now_ms,
                         const std::optional<TimeZone>& zone) {
  ReportFilter filter;
  filter.zone = zone;
  const TimeZone* wall_clock = zone ? &*zone : nullptr;
  // Times are stored to the second: the default period ends after the current one.
  filter.until_ms = now_ms + 1000;
  std::optional<int64_t> since;
  for (const auto& [key, value] : params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      throw InvalidInput("report filters must be UTF-8 text (percent-encoded in the URL)");
    }
    if (key == "team") {
      filter.team = value;
    } else if (key == "agent") {
      filter.agent = value;
    } else if (key == "project") {
      filter.project = value;
    } else if (key == "from") {
      since = ParseTime(value, "from", wall_clock);
    } else if (key == "to") {
      // A date (no time of day) is the period's last day, as the dashboard's date field reads.
      bool whole_day = value.find(':') == std::string::npos;
      int64_t start = ParseTime(value, "to", wall_clock);
      // In a zone, the next midnight there (a day of 23 or 25 hours where clocks change).
      filter.until_ms = !whole_day ? start : zone ? zone->NextMidnight(start) : start + kDayMs;
    } else {
      throw InvalidInput("unknown report filter '" + key +
                         "' (reports take team, agent, project, from and to)");
    }
  }
  filter.since_ms = since.value_or(filter.until_ms - kDefaultPeriodDays * kDayMs);
  if (filter.since_ms >= filter.until_ms) {
    throw InvalidInput("the period is empty: 'from' must be before 'to'");
  }
  return filter;
}

const std::vector<std::string>& StoreReportNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Report& r : Reports()) out.push_back(r.name);
    return out;
  }();
  return names;
}

json NewReport(const std::string& name, const std::string& title, const ReportFilter& filter) {
  json f = {{"from", FormatTime(filter.since_ms)}, {"to", FormatTime(filter.until_ms)}};
  if (filter.team) f["team"] = *filter.team;
  if (filter.agent) f["agent"] = *filter.agent;
  if (filter.project) f["project"] = *filter.project;
  if (filter.zone) f["zone"] = filter.zone->name();
  return {{"report", name}, {"title", title}, {"filter", f}, {"tables", json::array()}};
}

json NewTable(const std::string& name, const std::string& title,
              const std::vector<std::pair<std::string, std::string>>& columns, const char* period) {
  json cols = json::array();
  for (const auto& [key, label] : columns) cols.push_back({{"key", key}, {"label", label}});
  return {{"name", name},          {"title", title},   {"columns", cols},
          {"rows", json::array()}, {"chart", nullptr}, {"period", period}};
}

json RunReport(ReportingConnection& reporting, const std::string& name, const ReportFilter& filter,
               int64_t now_ms) {
  Database& db = reporting.db();
  const auto& all = Reports();
  auto it = std::find_if(all.begin(), all.end(), [&](const Report& r) { return r.name == name; });
  if (it == all.end()) throw NotFound("no report '" + name + "'");
  json out = NewReport(it->name, it->title, filter);
  Transaction txn(db);  // one snapshot for all the tables
  RequireKnownNames(reporting, filter);
  if (it->summary) {
    db.Exec(it->summary->create);
    db.Exec(std::string("DELETE FROM temp.") + it->summary->name);
    PrepareReportQuery(db, it->summary->fill, filter, now_ms).Run();
  }
  for (const Table& table : it->tables)
    out["tables"].push_back(RunTable(db, table, filter, now_ms));
  txn.Commit();
  return out;
}

json CustomerRecord(ReportingConnection& reporting, const std::string& id) {
  Database& db = reporting.db();
  auto root = db.QueryText("SELECT root FROM customer_records WHERE id = ?", id);
  if (!root) throw NotFound("no customer '" + id + "'");
  Statement& stmt = db.Prepare(R"sql(
SELECT c.doc, c.deleted,
  (SELECT json_group_object(kind, n) FROM (
     SELECT x.kind, count(*) AS n FROM customer_records a JOIN customer_children x ON x.customer = a.id
     WHERE (a.id = ?1 OR a.root = ?1) AND x.deleted = 0 GROUP BY x.kind))
FROM customer_records c WHERE c.id = ?1)sql");
  stmt.Bind(*root);
  stmt.Step();
  json record = json::parse(stmt.Text(0));
  record["id"] = *root;
  record["deleted"] = stmt.Int(1) != 0;
  json counts = json::parse(stmt.OptText(2).value_or("{}"));
  stmt.Reset();
  return {{"record", record}, {"related", counts}};
}

json RunSqlTable(ReportingConnection& reporting, const ReportFilter& filter, int64_t now_ms,
                 const std::string& name, const std::string& title,
                 const std::vector<std::pair<std::string, std::string>>& columns,
                 const std::string& sql, const char* period) {
  return RunTable(reporting.db(),
                  {name.c_str(), title.c_str(), columns, sql.c_str(), nullptr, nullptr, period},
                  filter, now_ms);
}

}  // namespace fieldcrm::reports
