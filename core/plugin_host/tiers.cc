#include "fieldcrm/plugin_host/tiers.h"

#include <algorithm>
#include <cmath>

#include "fieldcrm/projections/facts.h"
#include "fieldcrm/projections/open_complaints.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// Customers per Grade call: large enough that an isolated plugin grades one shared-memory slot
// while the next is filled (shared_grades.h).
constexpr size_t kBatch = 65536;

}  // namespace

std::vector<sdk::TierGrade> GradeFacts(LoadedPlugin& tiering,
                                       const std::vector<sdk::CustomerFacts>& facts,
                                       int64_t as_of_ms,
                                       const std::vector<int32_t>& open_complaints) {
  std::vector<sdk::TierGrade> grades(facts.size());
  for (size_t start = 0; start < facts.size(); start += kBatch) {
    size_t count = std::min(kBatch, facts.size() - start);
    tiering.Grade(facts.data() + start, grades.data() + start, count, as_of_ms,
                  open_complaints.empty() ? nullptr : open_complaints.data() + start);
  }
  return grades;
}

std::vector<sdk::TierGrade> GradeBundles(LoadedPlugin& tiering,
                                         const std::vector<CustomerBundle>& bundles,
                                         int64_t as_of_ms) {
  std::vector<sdk::CustomerFacts> facts;
  std::vector<int32_t> open;
  facts.reserve(bundles.size());
  open.reserve(bundles.size());
  for (const CustomerBundle& bundle : bundles) {
    facts.push_back(bundle.facts);
    open.push_back(OpenComplaintsAt(bundle.complaints, as_of_ms));
  }
  return GradeFacts(tiering, facts, as_of_ms, open);
}

const char* SegmentName(uint8_t segment) {
  switch (segment) {
    case sdk::kCore:
      return "core";
    case sdk::kPotential:
      return "potential";
    case sdk::kDeveloping:
      return "developing";
    case sdk::kDormant:
      return "dormant";
    default:
      return "";
  }
}

json TierJson(const sdk::TierGrade& grade) {
  return {{"tier", std::string(1, grade.tier)},
          {"tier_score", std::round(grade.score * 10) / 10},
          {"segment", SegmentName(grade.segment)},
          {"rfm", {{"r", grade.recency}, {"f", grade.frequency}, {"m", grade.monetary}}}};
}

std::vector<sdk::TierGrade> GradeCustomers(
    Database& db, LoadedPlugin& tiering,
    const std::vector<std::pair<std::string, sdk::CustomerFacts>>& customers, int64_t as_of_ms) {
  std::map<std::string, int32_t> open_by_customer = OpenComplaintsByCustomer(db, as_of_ms);
  std::vector<sdk::CustomerFacts> facts;
  std::vector<int32_t> open;
  facts.reserve(customers.size());
  open.reserve(customers.size());
  for (const auto& [id, f] : customers) {
    facts.push_back(f);
    auto found = open_by_customer.find(id);
    open.push_back(found == open_by_customer.end() ? 0 : found->second);
  }
  return GradeFacts(tiering, facts, as_of_ms, open);
}

std::map<std::string, sdk::TierGrade> GradeStore(Database& db, LoadedPlugin& tiering,
                                                 int64_t as_of_ms,
                                                 const std::optional<std::string>& only,
                                                 const std::optional<std::string>& team,
                                                 const std::optional<IdRange>& ids) {
  if (only) {
    std::vector<CustomerBundle> bundles = LoadCustomerBundles(db, only);
    std::vector<sdk::TierGrade> grades = GradeBundles(tiering, bundles, as_of_ms);
    std::map<std::string, sdk::TierGrade> out;
    for (size_t i = 0; i < bundles.size(); ++i) out.emplace(bundles[i].id, grades[i]);
    return out;
  }
  // Every customer: from the fact tables, without reading a single document.
  const auto customers = LoadCustomerFacts(db, std::nullopt, team, ids);
  std::vector<sdk::TierGrade> grades = GradeCustomers(db, tiering, customers, as_of_ms);
  std::map<std::string, sdk::TierGrade> out;
  for (size_t i = 0; i < customers.size(); ++i) out.emplace(customers[i].first, grades[i]);
  return out;
}

std::map<std::string, sdk::TierGrade> GradeStore(Store& store, LoadedPlugin& tiering,
                                                 int64_t as_of_ms,
                                                 const std::optional<std::string>& only,
                                                 const std::optional<IdRange>& ids) {
  return GradeStore(StoreDatabase(store), tiering, as_of_ms, only, std::nullopt, ids);
}

json ExplainTier(LoadedPlugin& tiering, const CustomerBundle& bundle, int64_t as_of_ms) {
  json out = TierJson(GradeBundles(tiering, {bundle}, as_of_ms).front());
  std::string reasons =
      tiering.Explain(bundle.facts, as_of_ms, OpenComplaintsAt(bundle.complaints, as_of_ms));
  try {
    out["explanation"] = json::parse(reasons);
  } catch (const json::exception& e) {
    throw tiering.Disable(std::string("explain returned malformed JSON: ") + e.what());
  }
  out["customer"] = bundle.id;
  out["plugin"] = tiering.name();
  return out;
}

}  // namespace fieldcrm
