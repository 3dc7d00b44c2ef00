#include "fieldcrm/projections/facts.h"

#include <algorithm>
#include <map>

#include "fieldcrm/model/fields.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

std::optional<std::string> Text(const json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<double> Number(const json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool IsHistoryKind(const std::string& kind) {
  return kind == "interaction" || kind == "task" || kind == "deal" || kind == "referral" ||
         kind == "reward" || kind == "survey_response";
}

// The root of a customer id as the records table has it; the id itself while it is unknown (its
// row will move the facts when it arrives).
std::string CustomerRoot(Database& db, const std::string& id) {
  return db.QueryText("SELECT COALESCE(root, id) FROM records WHERE id = ?", id).value_or(id);
}

void WriteCustomerFacts(Database& db, const std::string& id, const json& doc) {
  db.Prepare(
        "INSERT OR REPLACE INTO customer_facts(id, team, agent, project, stage, name, source, "
        "created_at, created_ms, budget) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(id, Text(doc, "team").value_or(""), Text(doc, "agent").value_or(""),
            Text(doc, "project"), Text(doc, "stage").value_or("prospect"), Text(doc, "name"),
            Text(doc, "source"), Text(doc, "created_at"), TimeField(doc, "created_at"),
            IntField(doc, "budget"))
      .Run();
}

void WriteHistoryFacts(Database& db, const std::string& id, const std::string& kind,
                       const std::string& parent, const json& doc) {
  auto referrer = Text(doc, "referrer");
  std::optional<std::string> referrer_root;
  if (referrer) referrer_root = CustomerRoot(db, *referrer);
  auto done = doc.find("done");
  db.Prepare(
        "INSERT OR REPLACE INTO history_facts(id, kind, parent, customer, at, at_ms, type, "
        "minutes, due, due_ms, done, status, price, reserved_at, signed_at, signed_ms, referrer, "
        "referrer_root, points, granted_ms, survey, nps, satisfaction) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(id, kind, parent, CustomerRoot(db, parent), Text(doc, "at"), TimeField(doc, "at"),
            Text(doc, "type"), IntField(doc, "minutes"), Text(doc, "due"), TimeField(doc, "due"),
            done != doc.end() && *done == true ? 1 : 0, Text(doc, "status"), IntField(doc, "price"),
            Text(doc, "reserved_at"), Text(doc, "signed_at"), TimeField(doc, "signed_at"), referrer,
            referrer_root, IntField(doc, "points"), TimeField(doc, "granted_at"),
            Text(doc, "survey"), Number(doc, "nps"), Number(doc, "satisfaction"))
      .Run();
}

}  // namespace

void WriteFacts(Database& db, const std::string& id, const std::string& kind,
                const std::optional<std::string>& parent, const std::optional<std::string>& root,
                bool deleted, const json& doc) {
  if (kind == "customer") {
    if (!deleted && root == id) {
      WriteCustomerFacts(db, id, doc);
    } else {
      db.Prepare("DELETE FROM customer_facts WHERE id = ?").Bind(id).Run();
    }
    // What hangs under this customer, or was referred by it, follows it to its root.
    std::string to = root.value_or(id);
    db.Prepare("UPDATE history_facts SET customer = ?2 WHERE parent = ?1 AND customer <> ?2")
        .Bind(id, to)
        .Run();
    db.Prepare(
          "UPDATE history_facts SET referrer_root = ?2 WHERE referrer = ?1 AND referrer_root <> ?2")
        .Bind(id, to)
        .Run();
  } else if (IsHistoryKind(kind) && !deleted && parent) {
    WriteHistoryFacts(db, id, kind, *parent, doc);
  } else {
    db.Prepare("DELETE FROM history_facts WHERE id = ?").Bind(id).Run();
  }
}

void RebuildAllFacts(Database& db) {
  db.Exec("DELETE FROM customer_facts; DELETE FROM history_facts;");
  // Customers first, so that history rows find their roots.
  Statement& rows = db.Prepare(
      "SELECT id, kind, parent, root, deleted, doc FROM records ORDER BY kind <> 'customer'");
  while (rows.Step()) {
    WriteFacts(db, rows.Text(0), rows.Text(1), rows.OptText(2), rows.OptText(3), rows.Int(4) != 0,
               json::parse(rows.Text(5)));
  }
  rows.Reset();
}

std::vector<std::pair<std::string, sdk::CustomerFacts>> LoadCustomerFacts(
    Database& db, std::optional<int64_t> as_of_ms, const std::optional<std::string>& team,
    const std::optional<IdRange>& ids) {
  // ?1: the cut-off time, or NULL for everything. The rules are ComputeFacts' (customer_bundle.cc).
  std::map<std::string, int32_t> referrals;
  Statement& made = db.Prepare(
      "SELECT referrer_root, count(*) FROM history_facts WHERE kind = 'referral' "
      "AND referrer_root IS NOT NULL AND (?1 IS NULL OR at_ms < ?1) "
      "AND (?2 IS NULL OR referrer_root BETWEEN ?2 AND ?3) GROUP BY referrer_root");
  made.Bind(as_of_ms, ids ? std::optional(ids->first) : std::nullopt,
            ids ? std::optional(ids->last) : std::nullopt);
  while (made.Step()) referrals[made.Text(0)] = static_cast<int32_t>(made.Int(1));
  made.Reset();
  // With as_of, the stage each customer had then: its last write before as_of, by (hlc, device)
  // as in field_state; read in id order alongside the customers below.
  Statement* stages = nullptr;
  bool more_stages = false;
  if (as_of_ms) {
    stages = &db.Prepare(R"sql(
SELECT record, stage FROM (
  SELECT record, json_extract(value, '$') AS stage,
         row_number() OVER (PARTITION BY record ORDER BY hlc DESC, device DESC) AS latest
  FROM log WHERE field = 'stage' AND hlc < ?1 AND kind = 'customer')
WHERE latest = 1 ORDER BY record)sql");
    stages->Bind(static_cast<int64_t>(HlcFromMillis(*as_of_ms)));
    more_stages = stages->Step();
  }
  // A window is its own statement: a range on the key that SQLite can seek to.
  std::string window = ids ? "AND c.id >= ?3 AND c.id <= ?4 " : "";
  Statement& stmt = db.Prepare(R"sql(
SELECT c.id, c.budget, c.stage, COALESCE(c.created_ms, 0),
       count(h.kind = 'interaction' AND h.type IS 'visit' OR NULL),
       count(h.kind = 'interaction' AND h.type IS NOT 'visit' OR NULL),
       COALESCE(sum(CASE WHEN h.kind = 'interaction' THEN h.minutes END), 0),
       COALESCE(max(CASE WHEN h.kind = 'interaction' THEN h.at_ms END), 0),
       count(h.kind = 'deal' AND h.status IN ('signed', 'handed-over') OR NULL),
       COALESCE(sum(CASE WHEN h.kind = 'deal' AND h.status IN ('signed', 'handed-over')
                    THEN h.price END), 0),
       COALESCE(max(CASE WHEN h.kind = 'deal' AND h.status IN ('signed', 'handed-over')
                    THEN h.signed_ms END), 0),
       count(CASE WHEN h.kind = 'survey_response' THEN h.nps END),
       avg(CASE WHEN h.kind = 'survey_response' THEN h.nps END)
FROM customer_facts c
LEFT JOIN history_facts h ON h.customer = c.id
  AND h.kind IN ('interaction', 'deal', 'survey_response')
  AND (?1 IS NULL OR (CASE h.kind WHEN 'deal' THEN h.signed_ms ELSE h.at_ms END) < ?1)
WHERE (?1 IS NULL OR c.created_ms IS NULL OR c.created_ms < ?1) AND (?2 IS NULL OR c.team = ?2)
)sql" + window + "GROUP BY c.id ORDER BY c.id");
  if (ids) {
    stmt.Bind(as_of_ms, team, ids->first, ids->last);
  } else {
    stmt.Bind(as_of_ms, team);
  }
  std::vector<std::pair<std::string, sdk::CustomerFacts>> out;
  while (stmt.Step()) {
    sdk::CustomerFacts f;
    f.budget_cny = stmt.Int(1);
    std::string id = stmt.Text(0), stage_name = stmt.Text(2);
    while (more_stages && stages->Text(0) < id) more_stages = stages->Step();
    if (more_stages && stages->Text(0) == id) stage_name = stages->OptText(1).value_or("prospect");
    auto stage = std::find(kStages.begin(), kStages.end(), stage_name);
    f.stage = stage == kStages.end() ? 0 : static_cast<int32_t>(stage - kStages.begin());
    f.created_ms = stmt.Int(3);
    f.visits = static_cast<int32_t>(stmt.Int(4));
    f.contacts = static_cast<int32_t>(stmt.Int(5));
    f.visit_minutes = static_cast<int32_t>(stmt.Int(6));
    f.last_interaction_ms = stmt.Int(7);
    f.deals_signed = static_cast<int32_t>(stmt.Int(8));
    f.deals_amount_cny = stmt.Int(9);
    f.last_signed_ms = stmt.Int(10);
    f.survey_responses = static_cast<int32_t>(stmt.Int(11));
    if (f.survey_responses > 0) f.satisfaction = stmt.Real(12);
    auto made_by = referrals.find(id);
    if (made_by != referrals.end()) f.referrals_made = made_by->second;
    out.emplace_back(std::move(id), f);
  }
  stmt.Reset();
  if (stages) stages->Reset();
  return out;
}

}  // namespace fieldcrm
