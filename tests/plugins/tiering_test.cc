// Tiering through the real plugin: grades, RFM segments and reasons on crafted customers, the
// same on every replica, and batched grading equal to one-by-one grading.
#include <doctest/doctest.h>

#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

struct Cast {
  std::string core, potential, developing, dormant;
};

// Four customers, one per segment, as of kAsOf (2026-06-15).
Cast Populate(Replica& r) {
  Cast c;
  c.core =
      r.Customer("业主甲", "13800000001", "2025-10-01", {{"budget", "800万"}, {"stage", "owner"}});
  for (const char* at :
       {"2026-05-01T10:00Z", "2026-05-20T10:00Z", "2026-06-01T10:00Z", "2026-06-10T10:00Z"}) {
    r.Interaction(c.core, "visit", at);
  }
  r.Deal(c.core, 6000000, "signed", "2026-05-01T10:00Z");
  for (const char* phone : {"13800000011", "13800000012"}) {
    r.Referral(c.core, r.Customer("朋友", phone, "2026-06-12"));
  }
  c.potential =
      r.Customer("大户乙", "13800000002", "2025-12-01", {{"budget", "800万"}, {"stage", "intent"}});
  r.Interaction(c.potential, "visit", "2026-01-10T10:00Z");
  c.developing = r.Customer("新客丙", "13800000003", "2026-06-01", {{"budget", "200万"}});
  r.Interaction(c.developing, "visit", "2026-06-14T10:00Z");
  c.dormant = r.Customer("沉睡丁", "13800000004", "2025-12-01", {{"budget", "100万"}});
  return c;
}

TEST_CASE("customers get the grade and segment their facts deserve") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Cast c = Populate(tablet);
  auto host = BuiltinHost(tablet.store());
  auto grades = GradeStore(StoreDatabase(tablet.store()), host->Get("tiering"), kAsOf);

  const sdk::TierGrade& core = grades.at(c.core);
  CHECK(core.tier == 'A');
  CHECK(core.score == doctest::Approx(97.5));
  CHECK(std::string(SegmentName(core.segment)) == "core");
  CHECK(int(core.recency) == 5);
  CHECK(int(core.frequency) == 3);  // 4 visits + 1 deal
  CHECK(int(core.monetary) == 5);

  CHECK(grades.at(c.potential).tier == 'C');
  CHECK(std::string(SegmentName(grades.at(c.potential).segment)) == "potential");
  CHECK(grades.at(c.developing).tier == 'C');
  CHECK(std::string(SegmentName(grades.at(c.developing).segment)) == "developing");
  CHECK(grades.at(c.dormant).tier == 'D');
  CHECK(grades.at(c.dormant).score == doctest::Approx(7.5));
  CHECK(std::string(SegmentName(grades.at(c.dormant).segment)) == "dormant");
}

TEST_CASE(
    "registering a customer is not an interaction: never contacted is neither recent nor core") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  // Registered the day before kAsOf with a budget that makes them high value, never contacted.
  std::string fresh = tablet.Customer("新登记", "13800000009", "2026-06-14", {{"budget", "800万"}});
  auto host = BuiltinHost(tablet.store());
  const sdk::TierGrade grade =
      GradeStore(StoreDatabase(tablet.store()), host->Get("tiering"), kAsOf).at(fresh);
  CHECK(int(grade.recency) == 1);
  CHECK(int(grade.frequency) == 1);
  CHECK(std::string(SegmentName(grade.segment)) == "potential");  // high value, not active
  auto bundles = LoadCustomerBundles(StoreDatabase(tablet.store()), fresh);
  json e = ExplainTier(host->Get("tiering"), bundles.front(), kAsOf);
  for (const json& f : e["explanation"]["factors"]) {
    if (f["name"] != "recency") continue;
    CHECK(f["points"] == 0);
    CHECK(f["reason"].get<std::string>().find("registering is neither") != std::string::npos);
  }
}

TEST_CASE("the explanation lists every factor's points, adding up to the score") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Cast c = Populate(tablet);
  auto host = BuiltinHost(tablet.store());
  auto bundles = LoadCustomerBundles(StoreDatabase(tablet.store()), c.potential);
  json e = ExplainTier(host->Get("tiering"), bundles.front(), kAsOf);
  CHECK(e["tier"] == "C");
  CHECK(e["segment"] == "potential");
  double total = 0;
  std::map<std::string, double> points;
  for (const json& f : e["explanation"]["factors"]) {
    points[f["name"]] = f["points"];
    total += f["points"].get<double>();
  }
  CHECK(points.size() == 7);
  CHECK(points["budget"] == doctest::Approx(25));  // 8M ≥ 5M: full marks
  CHECK(points["recency"] == doctest::Approx(0));  // 156 days idle
  CHECK(total == doctest::Approx(e["tier_score"].get<double>()).epsilon(0.01));
  CHECK(e["explanation"]["thresholds"]["A"] == 70);
}

TEST_CASE("tiers depend on the as-of time only, and agree across replicas after sync") {
  TempDir dir;
  Replica a(dir, "a"), b(dir, "b", "李强", "滨江二组");
  Cast c = Populate(a);
  b.Customer("李强的客户", "13700000001", "2026-06-01", {{"budget", "500万"}});
  Sync(a.store(), b.store());
  auto host_a = BuiltinHost(a.store());
  auto host_b = BuiltinHost(b.store());
  auto on_a = GradeStore(StoreDatabase(a.store()), host_a->Get("tiering"), kAsOf);
  auto on_b = GradeStore(StoreDatabase(b.store()), host_b->Get("tiering"), kAsOf);
  REQUIRE(on_a.size() == 7);
  REQUIRE(on_b.size() == 7);
  for (const auto& [id, grade] : on_a) {
    const sdk::TierGrade& other = on_b.at(id);
    CHECK(grade.tier == other.tier);
    CHECK(grade.score == other.score);
    CHECK(grade.segment == other.segment);
    CHECK(grade.recency == other.recency);
  }
  // Three months without activity: the core customer loses the recency points and drifts from
  // core to potential.
  int64_t later = ParseTime("2026-09-15T12:00Z", "later");
  auto drifted = GradeStore(StoreDatabase(a.store()), host_a->Get("tiering"), later);
  CHECK(drifted.at(c.core).score == doctest::Approx(82.5));
  CHECK(std::string(SegmentName(drifted.at(c.core).segment)) == "potential");
  CHECK(GradeStore(StoreDatabase(a.store()), host_a->Get("tiering"), kAsOf).at(c.core).tier == 'A');
}

TEST_CASE("grading in batches across the boundary equals grading one at a time") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  auto host = BuiltinHost(tablet.store());
  LoadedPlugin& tiering = host->Get("tiering");
  std::vector<sdk::CustomerFacts> many(10000);  // more than two host batches
  for (size_t i = 0; i < many.size(); ++i) {
    many[i].budget_cny = static_cast<int64_t>(i) * 1000;
    many[i].visits = static_cast<int32_t>(i % 7);
    many[i].stage = static_cast<int32_t>(i % 4);
    many[i].last_interaction_ms = kAsOf - static_cast<int64_t>(i % 200) * 86400000;
  }
  auto batched = GradeFacts(tiering, many, kAsOf);
  for (size_t i = 0; i < many.size(); i += 997) {
    auto single = GradeFacts(tiering, {many[i]}, kAsOf).front();
    CHECK(single.tier == batched[i].tier);
    CHECK(single.score == batched[i].score);
  }
  std::map<char, int> seen;
  for (const auto& g : batched) seen[g.tier]++;
  CHECK(seen.size() == 4);  // the spread covers every tier
}

}  // namespace
}  // namespace fieldcrm::testing
