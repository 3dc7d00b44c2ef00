#include "fieldcrm/projections/customer_bundle.h"

#include <algorithm>
#include <map>
#include <set>

#include "fieldcrm/model/fields.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// Oldest first: by the time it happened where there is one, then by id (creation order).
void SortByTime(json& records) {
  std::sort(records.begin(), records.end(), [](const json& a, const json& b) {
    return std::pair(a.value("at", ""), a.value("id", "")) <
           std::pair(b.value("at", ""), b.value("id", ""));
  });
}

}  // namespace

sdk::CustomerFacts ComputeFacts(const CustomerBundle& bundle) {
  sdk::CustomerFacts facts;
  const json& c = bundle.customer;
  facts.budget_cny = IntField(c, "budget");
  auto stage = std::find(kStages.begin(), kStages.end(), c.value("stage", "prospect"));
  facts.stage = stage == kStages.end() ? 0 : static_cast<int32_t>(stage - kStages.begin());
  facts.created_ms = TimeField(c, "created_at").value_or(0);
  for (const json& i : bundle.interactions) {
    (i.value("type", "") == "visit" ? facts.visits : facts.contacts)++;
    facts.visit_minutes += static_cast<int32_t>(IntField(i, "minutes"));
    facts.last_interaction_ms = std::max(facts.last_interaction_ms, TimeField(i, "at").value_or(0));
  }
  for (const json& d : bundle.deals) {
    std::string status = d.value("status", "");
    if (status != "signed" && status != "handed-over") continue;
    facts.deals_signed++;
    facts.deals_amount_cny += IntField(d, "price");
    facts.last_signed_ms = std::max(facts.last_signed_ms, TimeField(d, "signed_at").value_or(0));
  }
  facts.referrals_made = static_cast<int32_t>(bundle.referrals_made.size());
  double nps_sum = 0;
  for (const json& r : bundle.survey_responses) {
    if (!r.contains("nps") || !r["nps"].is_number()) continue;
    facts.survey_responses++;
    nps_sum += r["nps"].get<double>();
  }
  if (facts.survey_responses > 0) facts.satisfaction = nps_sum / facts.survey_responses;
  return facts;
}

std::vector<CustomerBundle> LoadCustomerBundles(Database& db,
                                                const std::optional<std::string>& only,
                                                const std::string& after, int64_t limit) {
  std::vector<CustomerBundle> bundles;
  std::map<std::string, size_t> index;
  Statement& customers =
      only ? db.Prepare(
                 "SELECT id, doc FROM records WHERE id = ?1 AND kind = 'customer' "
                 "AND root = id AND deleted = 0 AND id > ?2 LIMIT ?3")
           : db.Prepare(
                 "SELECT id, doc FROM records WHERE +kind = 'customer' AND root = id "
                 "AND deleted = 0 AND id > ?2 ORDER BY id LIMIT ?3");
  customers.Bind(only, after, limit);
  while (customers.Step()) {
    index[customers.Text(0)] = bundles.size();
    CustomerBundle& bundle = bundles.emplace_back();
    bundle.id = customers.Text(0);
    bundle.customer = json::parse(customers.Text(1));
  }
  customers.Reset();
  if (bundles.empty()) return bundles;
  // Every history record with the root of the customer it hangs under (its parent, or for
  // referrals made, the referrer); aliases of merged customers resolve to their root. Only the
  // roots of this window: [first id, last id]. The unary + keep SQLite on the id and root
  // indexes: by kind it would read every customer for every window.
  Statement& history = db.Prepare(
      "SELECT r.kind, r.doc, p.root, 0 FROM records p JOIN records r ON r.parent = p.id "
      "WHERE +p.kind = 'customer' AND p.root >= ?1 AND p.root <= ?2 AND r.deleted = 0 "
      "AND +r.kind IN ('interaction', 'deal', 'referral', 'survey_response', 'complaint', "
      "'repair') "
      "UNION ALL SELECT r.kind, r.doc, p.root, 1 FROM records r JOIN records p "
      "ON p.id = json_extract(r.doc, '$.referrer') WHERE r.kind = 'referral' AND r.deleted = 0 "
      "AND +p.kind = 'customer' AND p.root >= ?1 AND p.root <= ?2");
  history.Bind(bundles.front().id, bundles.back().id);
  while (history.Step()) {
    auto owner = index.find(history.Text(2));
    if (owner == index.end()) continue;  // its customer is deleted
    CustomerBundle& bundle = bundles[owner->second];
    std::string kind = history.Text(0);
    json doc = json::parse(history.Text(1));
    if (kind == "interaction") bundle.interactions.push_back(std::move(doc));
    if (kind == "deal") bundle.deals.push_back(std::move(doc));
    if (kind == "survey_response") bundle.survey_responses.push_back(std::move(doc));
    if (kind == "complaint") bundle.complaints.push_back(std::move(doc));
    if (kind == "repair") bundle.repairs.push_back(std::move(doc));
    if (kind == "referral") {
      (history.Int(3) == 1 ? bundle.referrals_made : bundle.referred_by).push_back(std::move(doc));
    }
  }
  history.Reset();
  for (CustomerBundle& bundle : bundles) {
    for (json* records :
         {&bundle.interactions, &bundle.deals, &bundle.referrals_made, &bundle.referred_by,
          &bundle.survey_responses, &bundle.complaints, &bundle.repairs}) {
      SortByTime(*records);
    }
    bundle.facts = ComputeFacts(bundle);
  }
  return bundles;
}

std::vector<std::string> CustomersHolding(Store& store, const std::vector<std::string>& records) {
  // The record's own root (customers), its parent's, and its referrer's (referrals); the roots
  // are then checked live, as LoadCustomerBundles visits live roots only.
  Statement& holders = StoreDatabase(store).Prepare(
      "SELECT CASE WHEN r.kind = 'customer' THEN r.root ELSE p.root END, q.root "
      "FROM records r LEFT JOIN records p ON p.id = r.parent "
      "LEFT JOIN records q ON r.kind = 'referral' AND q.id = json_extract(r.doc, '$.referrer') "
      "WHERE r.id = ?");
  std::set<std::string> roots;
  for (const std::string& record : records) {
    holders.Bind(record);
    if (holders.Step()) {
      for (int column : {0, 1}) {
        if (auto root = holders.OptText(column)) roots.insert(*root);
      }
    }
    holders.Reset();
  }
  Statement& live = StoreDatabase(store).Prepare(
      "SELECT 1 FROM records WHERE id = ? AND kind = 'customer' AND root = id AND deleted = 0");
  std::vector<std::string> out;
  for (const std::string& root : roots) {
    live.Bind(root);
    if (live.Step()) out.push_back(root);
    live.Reset();
  }
  return out;
}

std::vector<CustomerBundle> LoadCustomerBundles(Store& store,
                                                const std::optional<std::string>& only,
                                                const std::string& after, int64_t limit) {
  return LoadCustomerBundles(StoreDatabase(store), only, after, limit);
}

}  // namespace fieldcrm
