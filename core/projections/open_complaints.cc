#include "fieldcrm/projections/open_complaints.h"

#include "fieldcrm/model/fields.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// Whether the step was stamped at or before as_of_ms.
bool StampedBy(const json& complaint, const char* step, int64_t as_of_ms) {
  auto at = complaint.find(step);
  return at != complaint.end() && at->is_string() &&
         ParseTime(at->get<std::string>(), step) <= as_of_ms;
}

}  // namespace

int32_t OpenComplaintsAt(const json& complaints, int64_t as_of_ms) {
  int32_t open = 0;
  for (const json& complaint : complaints) {
    if (StampedBy(complaint, "opened_at", as_of_ms) &&
        !StampedBy(complaint, "resolved_at", as_of_ms) &&
        !StampedBy(complaint, "closed_at", as_of_ms)) {
      ++open;
    }
  }
  return open;
}

std::map<std::string, int32_t> OpenComplaintsByCustomer(Database& db, int64_t as_of_ms) {
  Statement& stmt = db.Prepare(
      "SELECT COALESCE(c.root, c.id), r.doc FROM records r JOIN records c ON c.id = r.parent "
      "WHERE r.kind = 'complaint' AND r.deleted = 0 AND c.kind = 'customer'");
  std::map<std::string, json> complaints;
  while (stmt.Step()) {
    json& of_customer = complaints[stmt.Text(0)];
    if (of_customer.is_null()) of_customer = json::array();
    of_customer.push_back(json::parse(stmt.Text(1)));
  }
  stmt.Reset();
  std::map<std::string, int32_t> open;
  for (const auto& [customer, docs] : complaints) {
    if (int32_t count = OpenComplaintsAt(docs, as_of_ms); count > 0) open[customer] = count;
  }
  return open;
}

}  // namespace fieldcrm
