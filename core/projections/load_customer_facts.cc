// LoadCustomerFacts (facts.h): the grading facts of many customers at once, as ComputeFacts
// (customer_bundle.cc) derives them from one customer's bundle.
//
// Read as a merge join: the customers in id order, and beside them one stream per kind of
// history, each a range of history_facts' key (kind, customer, id) and so already in customer
// order. At 120,000 customers this reads each row once, in key order; joining and grouping in
// SQL sought the history three times per customer: 1.3 s warm in `sqlite3`, where this took
// 0.2-0.4 s in the dashboard bench on a machine at load 4.6 (bench/README.md, "At 120,000
// customers").
#include <algorithm>
#include <map>

#include "fieldcrm/model/fields.h"
#include "fieldcrm/projections/facts.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

namespace {

// A statement whose first column is a customer id, its rows in id order, read alongside the
// customers in the same order.
class CustomerRows {
 public:
  explicit CustomerRows(Statement& stmt) : stmt_(stmt), more_(stmt.Step()) {}
  CustomerRows(const CustomerRows&) = delete;
  CustomerRows& operator=(const CustomerRows&) = delete;
  ~CustomerRows() { stmt_.Reset(); }

  // Calls each(row) for every row of customer `id`, after skipping those of customers before it
  // (customers the caller does not list).
  template <typename Each>
  void Of(std::string_view id, Each each) {
    while (more_ && stmt_.TextView(0) < id) more_ = stmt_.Step();
    while (more_ && stmt_.TextView(0) == id) {
      each(stmt_);
      more_ = stmt_.Step();
    }
  }

 private:
  Statement& stmt_;
  bool more_;
};

// Which customers a load covers: parameters ?2 (team) and ?3, ?4 (the id window) of its
// statements, each a condition on `column` only when set, so that SQLite seeks by it.
struct Scope {
  const std::optional<std::string>& team;
  const std::optional<IdRange>& ids;

  std::string Sql(const char* column) const {
    std::string sql;
    if (team) {
      sql += std::string(" AND ") + column + " IN (SELECT id FROM customer_facts WHERE team = ?2)";
    }
    if (ids) sql += std::string(" AND ") + column + " BETWEEN ?3 AND ?4";
    return sql;
  }
  // Binds `first` as ?1 and the scope's own parameters after it.
  Statement& Bind(Statement& stmt, std::optional<int64_t> first) const {
    if (ids) return stmt.Bind(first, team, ids->first, ids->last);
    if (team) return stmt.Bind(first, team);
    return stmt.Bind(first);
  }
};

// ?1: the cut-off time in ms, or NULL for everything.
std::map<std::string, int32_t> ReferralsMade(Database& db, const Scope& scope,
                                             std::optional<int64_t> as_of_ms) {
  std::map<std::string, int32_t> out;
  Statement& made = scope.Bind(
      db.Prepare("SELECT referrer_root, count(*) FROM history_facts WHERE kind = 'referral' "
                 "AND referrer_root IS NOT NULL AND (?1 IS NULL OR at_ms < ?1)" +
                 scope.Sql("referrer_root") + " GROUP BY referrer_root"),
      as_of_ms);
  while (made.Step()) out[made.Text(0)] = static_cast<int32_t>(made.Int(1));
  made.Reset();
  return out;
}

}  // namespace

std::vector<std::pair<std::string, sdk::CustomerFacts>> LoadCustomerFacts(
    Database& db, std::optional<int64_t> as_of_ms, const std::optional<std::string>& team,
    const std::optional<IdRange>& ids) {
  const Scope scope{team, ids};
  const std::map<std::string, int32_t> referrals = ReferralsMade(db, scope, as_of_ms);
  // ?1 in each: the cut-off time, or NULL for everything.
  Statement& customers =
      scope.Bind(db.Prepare("SELECT id, budget, stage, COALESCE(created_ms, 0) FROM customer_facts "
                            "WHERE (?1 IS NULL OR created_ms IS NULL OR created_ms < ?1)" +
                            std::string(team ? " AND team = ?2" : "") +
                            (ids ? " AND id BETWEEN ?3 AND ?4" : "") + " ORDER BY id"),
                 as_of_ms);
  CustomerRows interactions(
      scope.Bind(db.Prepare("SELECT customer, type IS 'visit', minutes, at_ms FROM history_facts "
                            "WHERE kind = 'interaction' AND (?1 IS NULL OR at_ms < ?1)" +
                            scope.Sql("customer") + " ORDER BY customer"),
                 as_of_ms));
  CustomerRows deals(scope.Bind(
      db.Prepare("SELECT customer, price, signed_ms FROM history_facts WHERE kind = 'deal' "
                 "AND status IN ('signed', 'handed-over') AND (?1 IS NULL OR signed_ms < ?1)" +
                 scope.Sql("customer") + " ORDER BY customer"),
      as_of_ms));
  CustomerRows surveys(scope.Bind(
      db.Prepare("SELECT customer, nps FROM history_facts WHERE kind = 'survey_response' "
                 "AND nps IS NOT NULL AND (?1 IS NULL OR at_ms < ?1)" +
                 scope.Sql("customer") + " ORDER BY customer"),
      as_of_ms));
  // With as_of, the stage each customer had then: its last write before as_of, by (hlc, device)
  // as in field_state (the last row of each record here). A head-office store reads these from
  // the index log_stage_by_record (Store::IndexHistory) without touching the log's rows.
  std::optional<CustomerRows> stages;
  if (as_of_ms) {
    stages.emplace(
        scope.Bind(db.Prepare("SELECT record, json_extract(value, '$') FROM log "
                              "WHERE kind = 'customer' AND +field = 'stage' AND hlc < ?1" +
                              scope.Sql("record") + " ORDER BY record, hlc, device"),
                   static_cast<int64_t>(HlcFromMillis(*as_of_ms))));
  }

  std::vector<std::pair<std::string, sdk::CustomerFacts>> out;
  while (customers.Step()) {
    sdk::CustomerFacts f;
    std::string id = customers.Text(0), stage_name = customers.Text(2);
    f.budget_cny = customers.Int(1);
    f.created_ms = customers.Int(3);
    if (stages) {
      stages->Of(id,
                 [&](Statement& row) { stage_name = row.IsNull(1) ? "prospect" : row.Text(1); });
    }
    auto stage = std::find(kStages.begin(), kStages.end(), stage_name);
    f.stage = stage == kStages.end() ? 0 : static_cast<int32_t>(stage - kStages.begin());
    int64_t minutes = 0;
    interactions.Of(id, [&](Statement& row) {
      ++(row.Int(1) != 0 ? f.visits : f.contacts);
      minutes += row.Int(2);
      if (!row.IsNull(3)) f.last_interaction_ms = std::max(f.last_interaction_ms, row.Int(3));
    });
    f.visit_minutes = static_cast<int32_t>(minutes);
    deals.Of(id, [&](Statement& row) {
      ++f.deals_signed;
      f.deals_amount_cny += row.Int(1);
      if (!row.IsNull(2)) f.last_signed_ms = std::max(f.last_signed_ms, row.Int(2));
    });
    double nps = 0;
    surveys.Of(id, [&](Statement& row) {
      ++f.survey_responses;
      nps += row.Real(1);
    });
    if (f.survey_responses > 0) f.satisfaction = nps / f.survey_responses;
    auto made_by = referrals.find(id);
    if (made_by != referrals.end()) f.referrals_made = made_by->second;
    out.emplace_back(std::move(id), f);
  }
  customers.Reset();
  return out;
}

}  // namespace fieldcrm
