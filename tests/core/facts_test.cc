#include "fieldcrm/projections/facts.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/replicas.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::AllChanges;
using fieldcrm::testing::StateDump;
using fieldcrm::testing::TempDir;
using fieldcrm::testing::ThreeTablets;
using nlohmann::json;

namespace {

// The fact tables, and the facts LoadCustomerFacts derives, as text.
std::string FactsDump(Database& db) {
  std::string out;
  std::istringstream state(StateDump(db));
  for (std::string line; std::getline(state, line);) {
    if (line.starts_with("C ") || line.starts_with("H ")) out += line + "\n";
  }
  for (const auto& [id, f] : LoadCustomerFacts(db)) {
    out += id + " " + std::to_string(f.visits) + "/" + std::to_string(f.contacts) + "/" +
           std::to_string(f.deals_signed) + "/" + std::to_string(f.referrals_made) + "\n";
  }
  return out;
}

std::string Describe(const sdk::CustomerFacts& f) {
  return json{f.budget_cny,
              f.stage,
              f.visits,
              f.contacts,
              f.visit_minutes,
              f.created_ms,
              f.last_interaction_ms,
              f.deals_signed,
              f.deals_amount_cny,
              f.last_signed_ms,
              f.referrals_made,
              f.survey_responses,
              f.satisfaction}
      .dump();
}

// A store's facts must be what ComputeFacts makes of the customers' bundles, and what a rebuild
// from scratch makes of its records.
void CheckFacts(Store& store) {
  Database& db = StoreDatabase(store);
  auto facts = LoadCustomerFacts(db);
  auto bundles = LoadCustomerBundles(db);
  REQUIRE(facts.size() == bundles.size());
  for (size_t i = 0; i < facts.size(); ++i) {
    CAPTURE(bundles[i].id);
    CHECK(facts[i].first == bundles[i].id);
    CHECK(Describe(facts[i].second) == Describe(ComputeFacts(bundles[i])));
  }
  std::string kept = StateDump(db);
  Transaction txn(db);
  RebuildAllFacts(db);
  CHECK(StateDump(db) == kept);
}

}  // namespace

TEST_CASE("fact tables follow every write, merge and delete, in any arrival order") {
  for (unsigned seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    TempDir dir;
    std::vector<std::unique_ptr<Store>> tablets = ThreeTablets(dir);
    std::vector<std::string> customers;
    std::vector<std::pair<std::string, std::string>> records;  // kind, id
    {
      Customers first(*tablets[0]);
      for (int i = 0; i < 6; ++i) {
        customers.push_back(first
                                .Add({{"name", "客户" + std::to_string(i)},
                                      {"phone", "1380000000" + std::to_string(i)},
                                      {"budget", std::to_string(100 + i) + "万"},
                                      {"agent", i % 2 ? "王芳" : "李强"}})
                                .id);
      }
      for (int t = 1; t < 3; ++t) tablets[t]->ApplyRemote(AllChanges(*tablets[0]));
    }
    const int64_t day = 24 * 3600 * 1000;
    const int64_t start = ParseTime("2026-10-01", "start");
    for (int step = 0; step < 120; ++step) {
      Store& tablet = *tablets[rng() % 3];
      Customers people(tablet);
      Activities activities(tablet);
      const std::string& id = customers[rng() % customers.size()];
      int64_t at = start + static_cast<int64_t>(rng() % 50) * day;
      try {
        switch (rng() % 12) {
          case 0:  // the same person registered on several tablets: merged by phone on sync
            customers.push_back(
                people.Add({{"name", "新客"}, {"phone", "1390000000" + std::to_string(rng() % 3)}})
                    .id);
            break;
          case 1:
            people.Delete(id);
            break;
          case 2:
            people.Merge(customers[rng() % customers.size()], id);
            break;
          case 3:
            people.Set(id, {{"stage", kStages[rng() % kStages.size()]}});
            break;
          case 4:
          case 5:
            records.emplace_back(
                "interaction",
                activities.AddInteraction(id, {.type = kInteractionTypes[rng() % 3],
                                               .at_ms = at,
                                               .minutes = static_cast<int64_t>(rng() % 90)}));
            break;
          case 6:
            records.emplace_back("task", activities.AddTask(id, at, "回访"));
            break;
          case 7:
            records.emplace_back("deal", activities.AddDeal(id, "3-1201", 3'000'000 + rng() % 1000,
                                                            kDealStatuses[rng() % 4]));
            break;
          case 8:
            records.emplace_back("referral",
                                 activities.AddReferral(customers[rng() % customers.size()], id));
            break;
          case 9:
            tablet.Write("survey_response", tablet.NewId(),
                         {{"customer", id}, {"at", FormatTime(at)}, {"nps", rng() % 11}});
            break;
          case 10:
            if (!records.empty()) {
              const auto& [kind, record] = records[rng() % records.size()];
              tablet.Write(kind, record, {{"_deleted", "true"}});
            }
            break;
          default:
            people.Set(id, {{"project", rng() % 2 ? "西溪府" : "滨江壹号"}});
        }
      } catch (const std::exception&) {
        // Deleted or already-merged targets are refused, as are kinds that do not match.
      }
    }
    std::vector<Change> all = AllChanges(tablets);
    std::string expected;
    for (int replica = 0; replica < 3; ++replica) {
      std::vector<Change> delivery = all;
      std::shuffle(delivery.begin(), delivery.end(), rng);
      auto store =
          CreateCustomerStore(dir.File("r" + std::to_string(replica) + ".db"), {.name = "r"});
      for (size_t at = 0; at < delivery.size();) {
        size_t size = std::min<size_t>(1 + rng() % 40, delivery.size() - at);
        // The merge alone (ApplyRemote would also merge same-phone customers, with changes of
        // each replica's own that converge only once exchanged).
        Transaction txn(StoreDatabase(*store));
        ApplyChanges(*store, {delivery.begin() + at, delivery.begin() + at + size});
        txn.Commit();
        at += size;
      }
      CheckFacts(*store);
      std::string dump = FactsDump(StoreDatabase(*store));
      if (replica == 0) {
        expected = dump;
        for (const char* kind : {"interaction", "task", "deal", "referral", "survey_response"}) {
          CAPTURE(kind);
          CHECK(StoreDatabase(*store).QueryInt("SELECT count(*) FROM history_facts WHERE kind = ?",
                                               kind) > 0);
        }
      } else {
        CHECK(dump == expected);
      }
    }
    for (auto& tablet : tablets) {
      tablet->ApplyRemote(all);
      CheckFacts(*tablet);
    }
  }
}

TEST_CASE("facts as of a time leave out what came later") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s", .team = "滨江一组"});
  Customers customers(*store);
  Activities activities(*store);
  std::string id =
      customers.Add({{"name", "张伟"}, {"phone", "13800000001"}, {"created_at", "2026-10-01"}}).id;
  const int64_t oct10 = ParseTime("2026-10-10", "t"), nov10 = ParseTime("2026-11-10", "t");
  activities.AddInteraction(id, {.type = "visit", .at_ms = oct10, .minutes = 30});
  activities.AddInteraction(id, {.type = "call", .at_ms = nov10});
  customers.Add({{"name", "李娜"}, {"phone", "13800000002"}, {"created_at", "2026-11-01"}});

  auto now = LoadCustomerFacts(StoreDatabase(*store));
  REQUIRE(now.size() == 2);
  auto before = LoadCustomerFacts(StoreDatabase(*store), ParseTime("2026-10-20", "t"));
  REQUIRE(before.size() == 1);  // 李娜 came later
  CHECK(before[0].first == id);
  CHECK(before[0].second.visits == 1);
  CHECK(before[0].second.contacts == 0);
  CHECK(before[0].second.last_interaction_ms == oct10);
  const auto& zhang = now[0].first == id ? now[0].second : now[1].second;
  CHECK(zhang.contacts == 1);
  CHECK(zhang.last_interaction_ms == nov10);
}

TEST_CASE("facts as of a time take the stage last written before it") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s", .team = "滨江一组"});
  int64_t wall = ParseTime("2026-10-01", "t");
  store->clock() = HybridClock(0, [&wall] { return wall; });
  Customers customers(*store);
  std::string zhang =
      customers.Add({{"name", "张伟"}, {"phone", "13800000001"}, {"created_at", "2026-09-01"}}).id;
  std::string li = customers
                       .Add({{"name", "李娜"},
                             {"phone", "13800000002"},
                             {"stage", "intent"},
                             {"created_at", "2026-09-01"}})
                       .id;
  wall = ParseTime("2026-11-01", "t");
  customers.Set(zhang, {{"stage", "buyer"}});
  wall = ParseTime("2026-11-20", "t");
  customers.Set(zhang, {{"stage", "owner"}});

  auto stages = [&](std::optional<int64_t> as_of) {
    std::map<std::string, int32_t> out;
    for (const auto& [id, f] : LoadCustomerFacts(StoreDatabase(*store), as_of)) out[id] = f.stage;
    return out;
  };
  // prospect 0, intent 1, buyer 2, owner 3
  CHECK(stages(ParseTime("2026-10-15", "t")) ==
        std::map<std::string, int32_t>{{zhang, 0}, {li, 1}});
  CHECK(stages(ParseTime("2026-11-10", "t")) ==
        std::map<std::string, int32_t>{{zhang, 2}, {li, 1}});
  CHECK(stages(std::nullopt) == std::map<std::string, int32_t>{{zhang, 3}, {li, 1}});
}
