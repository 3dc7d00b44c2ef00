#include "fieldcrm/projections/facts.h"

#include <vector>

#include "fieldcrm/model/fields.h"

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

// How many tags the customer has (0 when `tags` is not an array).
int64_t TagCount(const json& doc) {
  auto it = doc.find("tags");
  return it != doc.end() && it->is_array() ? static_cast<int64_t>(it->size()) : 0;
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

// The latest interaction of a customer (its last_interaction_ms) as the history rows under it
// now give it: ?1 is the customer.
#define FIELDCRM_LATEST_INTERACTION \
  "(SELECT max(at_ms) FROM history_facts WHERE kind = 'interaction' AND customer = ?1)"

// Sets each customer's last_interaction_ms from its interactions again (after they changed).
void RefreshLastInteraction(Database& db, const std::vector<std::string>& customers) {
  Statement& update =
      db.Prepare("UPDATE customer_facts SET last_interaction_ms = " FIELDCRM_LATEST_INTERACTION
                 " WHERE id = ?1");
  for (const std::string& customer : customers) update.Bind(customer).Run();
}

// The customer an interaction row hangs under now; nothing for other rows, or none.
std::vector<std::string> InteractionCustomer(Database& db, const std::string& id) {
  auto customer =
      db.QueryText("SELECT customer FROM history_facts WHERE id = ? AND kind = 'interaction'", id);
  if (!customer) return {};
  return {*customer};
}

void WriteCustomerFacts(Database& db, const std::string& id, const json& doc) {
  db.Prepare(
        "INSERT OR REPLACE INTO customer_facts(id, team, agent, project, stage, name, source, "
        "created_at, created_ms, budget, tags, last_interaction_ms) "
        "VALUES(?1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " FIELDCRM_LATEST_INTERACTION ")")
      .Bind(id, Text(doc, "team").value_or(""), Text(doc, "agent").value_or(""),
            Text(doc, "project"), Text(doc, "stage").value_or("prospect"), Text(doc, "name"),
            Text(doc, "source"), Text(doc, "created_at"), TimeField(doc, "created_at"),
            IntField(doc, "budget"), TagCount(doc))
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
    // What hangs under this customer, or was referred by it, follows it to its root; the
    // customers its interactions leave and join get their latest interaction again.
    std::string to = root.value_or(id);
    std::vector<std::string> moved;
    Statement& leaving = db.Prepare(
        "SELECT DISTINCT customer FROM history_facts WHERE parent = ?1 AND customer <> ?2 "
        "AND kind = 'interaction'");
    leaving.Bind(id, to);
    while (leaving.Step()) moved.push_back(leaving.Text(0));
    leaving.Reset();
    db.Prepare("UPDATE history_facts SET customer = ?2 WHERE parent = ?1 AND customer <> ?2")
        .Bind(id, to)
        .Run();
    if (!moved.empty()) {
      moved.push_back(to);
      RefreshLastInteraction(db, moved);
    }
    db.Prepare(
          "UPDATE history_facts SET referrer_root = ?2 WHERE referrer = ?1 AND referrer_root <> ?2")
        .Bind(id, to)
        .Run();
  } else {
    // An interaction's customer before and after the write gets its latest one again.
    const bool interaction = kind == "interaction";
    std::vector<std::string> customers;
    if (interaction) customers = InteractionCustomer(db, id);
    if (IsHistoryKind(kind) && !deleted && parent) {
      WriteHistoryFacts(db, id, kind, *parent, doc);
    } else {
      db.Prepare("DELETE FROM history_facts WHERE id = ?").Bind(id).Run();
    }
    if (interaction) {
      std::vector<std::string> after = InteractionCustomer(db, id);
      customers.insert(customers.end(), after.begin(), after.end());
      RefreshLastInteraction(db, customers);
    }
  }
}

#undef FIELDCRM_LATEST_INTERACTION

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

}  // namespace fieldcrm
