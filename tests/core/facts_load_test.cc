// LoadCustomerFacts, read as a merge join over the fact tables (and, on head office's store, the
// index of stage writes), must equal the facts computed from scratch: ComputeFacts over each live
// customer's bundle holding only what happened before the cut-off, with the stage last written
// before it read from the change log. Checked for the whole store, each team and windows of ids,
// now and at several past times, after local writes, remote merges, late (back-dated) changes
// from an offline tablet, merges of duplicates, deletions and an erasure. So must the facts now
// that a reporting connection keeps between changes (ReportingConnection::FactsNow), read on one
// connection over head office's store for the whole run, and the latest interaction each
// customer's facts keep (what the churn report reads), after interactions moved in time and
// deleted as well.
#include <doctest/doctest.h>

#include <random>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/projections/facts.h"
#include "fieldcrm/projections/reporting.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/replicas.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::AllChanges;
using fieldcrm::testing::TempDir;
using nlohmann::json;

namespace {

using FactsList = std::vector<std::pair<std::string, sdk::CustomerFacts>>;

// What happened before as_of_ms: the entries whose `field` is a time before it.
json Before(const json& records, const char* field, int64_t as_of_ms) {
  json out = json::array();
  for (const json& r : records) {
    std::optional<int64_t> at = TimeField(r, field);
    if (at && *at < as_of_ms) out.push_back(r);
  }
  return out;
}

// The customer's stage as of as_of_ms from its own log entries: the last write before it by
// (hlc, device); today's when the log holds none.
void StageAsOf(Store& store, CustomerBundle& bundle, int64_t as_of_ms) {
  std::optional<Change> last;
  for (const Store::LoggedChange& logged : store.ReadRecordLog({bundle.id})) {
    const Change& c = logged.change;
    if (c.kind != "customer" || c.field != "stage" || c.hlc >= HlcFromMillis(as_of_ms)) continue;
    if (!last || std::tie(c.hlc, c.device) > std::tie(last->hlc, last->device)) last = c;
  }
  if (!last) return;
  json value = last->value ? json::parse(*last->value) : json();
  bundle.customer["stage"] = value.is_string() ? value : json("prospect");
}

FactsList FromScratch(Store& store, std::optional<int64_t> as_of_ms,
                      const std::optional<std::string>& team, const std::optional<IdRange>& ids) {
  FactsList out;
  for (CustomerBundle& bundle : LoadCustomerBundles(store)) {
    if (team && bundle.customer.value("team", "") != *team) continue;
    if (ids && (bundle.id < ids->first || bundle.id > ids->last)) continue;
    if (as_of_ms) {
      std::optional<int64_t> created = TimeField(bundle.customer, "created_at");
      if (created && *created >= *as_of_ms) continue;
      bundle.interactions = Before(bundle.interactions, "at", *as_of_ms);
      bundle.deals = Before(bundle.deals, "signed_at", *as_of_ms);
      bundle.survey_responses = Before(bundle.survey_responses, "at", *as_of_ms);
      bundle.referrals_made = Before(bundle.referrals_made, "at", *as_of_ms);
      StageAsOf(store, bundle, *as_of_ms);
    }
    out.emplace_back(bundle.id, ComputeFacts(bundle));
  }
  return out;
}

std::string Describe(const FactsList& facts) {
  json out = json::array();
  for (const auto& [id, f] : facts) {
    out.push_back({id, f.budget_cny, f.stage, f.visits, f.contacts, f.visit_minutes, f.created_ms,
                   f.last_interaction_ms, f.deals_signed, f.deals_amount_cny, f.last_signed_ms,
                   f.referrals_made, f.survey_responses, f.satisfaction});
  }
  return out.dump(1);
}

// The reporting connection's kept facts now, asked twice (the second from what it kept), equal
// the facts from scratch, for the whole store and each team.
void CheckKeptFacts(Store& store, ReportingConnection& reporting) {
  for (const std::optional<std::string>& team :
       {std::optional<std::string>(), std::optional<std::string>("东区"),
        std::optional<std::string>("西区")}) {
    CAPTURE(team.value_or("(all)"));
    const std::string scratch = Describe(FromScratch(store, std::nullopt, team, std::nullopt));
    for (int read = 0; read < 2; ++read) {
      Transaction txn(reporting.db());
      CHECK(Describe(reporting.FactsNow(team)) == scratch);
      txn.Commit();
    }
  }
}

// Each live customer's latest interaction kept in customer_facts (last_interaction_ms, what the
// churn report reads) equals the latest one from scratch.
void CheckLatestInteraction(Store& store) {
  json kept = json::array(), scratch = json::array();
  Statement& rows = StoreDatabase(store).Prepare(
      "SELECT id, COALESCE(last_interaction_ms, 0) FROM customer_facts ORDER BY id");
  while (rows.Step()) kept.push_back({rows.Text(0), rows.Int(1)});
  rows.Reset();
  for (const auto& [id, f] : FromScratch(store, std::nullopt, std::nullopt, std::nullopt)) {
    scratch.push_back({id, f.last_interaction_ms});
  }
  CHECK(kept.dump(1) == scratch.dump(1));
}

void CheckAgainstScratch(Store& store, const std::vector<int64_t>& times) {
  CheckLatestInteraction(store);
  std::vector<std::optional<int64_t>> cut_offs = {std::nullopt};
  cut_offs.insert(cut_offs.end(), times.begin(), times.end());
  FactsList all = FromScratch(store, std::nullopt, std::nullopt, std::nullopt);
  REQUIRE(all.size() > 4);
  std::vector<std::optional<IdRange>> windows = {
      std::nullopt, IdRange{all[1].first, all[all.size() / 2].first},
      IdRange{all[all.size() / 2].first, all.back().first}};
  for (const std::optional<int64_t>& as_of : cut_offs) {
    for (const std::optional<std::string>& team :
         {std::optional<std::string>(), std::optional<std::string>("东区"),
          std::optional<std::string>("西区")}) {
      for (const std::optional<IdRange>& ids : windows) {
        CAPTURE(as_of.value_or(-1));
        CAPTURE(team.value_or("(all)"));
        CAPTURE(ids ? ids->first + ".." + ids->last : "(all)");
        CHECK(Describe(LoadCustomerFacts(StoreDatabase(store), as_of, team, ids)) ==
              Describe(FromScratch(store, as_of, team, ids)));
      }
    }
  }
}

}  // namespace

TEST_CASE("facts loaded for a team, a window or a past time equal the facts from scratch") {
  constexpr int64_t kDay = 24 * 3600 * 1000;
  const int64_t start = ParseTime("2026-09-01", "start");
  for (unsigned seed : {7u, 8u}) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    TempDir dir;
    // Head office (with the history indexes, as a server's store) and a replica without them.
    auto office = CreateCustomerStore(dir.File("office.db"), {.name = "office"});
    office->IndexHistory();
    ReportingConnection reporting(office->path());
    auto replica = CreateCustomerStore(dir.File("replica.db"), {.name = "replica"});
    // East syncs after every step; west works offline and its clock runs ten days behind, so
    // its changes arrive late, stamped before times already reported on.
    int64_t wall = start;
    auto east = CreateCustomerStore(dir.File("east.db"), {.name = "east", .team = "东区"});
    auto west = CreateCustomerStore(dir.File("west.db"), {.name = "west", .team = "西区"});
    east->clock() = HybridClock(0, [&wall] { return wall; });
    west->clock() = HybridClock(0, [&wall] { return wall - 10 * kDay; });
    std::vector<std::string> customers, interactions;
    std::vector<int64_t> times;
    auto sync_all = [&](bool with_west) {
      for (Store* to : {office.get(), replica.get()}) {
        to->ApplyRemote(AllChanges(*east));
        if (with_west) to->ApplyRemote(AllChanges(*west));
      }
      east->ApplyRemote(AllChanges(*office));
      if (with_west) west->ApplyRemote(AllChanges(*office));
    };
    for (int step = 0; step < 160; ++step) {
      wall += static_cast<int64_t>(rng() % 20) * 3600 * 1000;
      Store& tablet = rng() % 3 ? *east : *west;
      Customers people(tablet);
      Activities activities(tablet);
      int64_t at = wall - static_cast<int64_t>(rng() % 30) * kDay;  // often back-dated
      try {
        if (customers.size() < 6 || rng() % 8 == 0) {
          // Some share a phone with an earlier customer: merged when the copies meet.
          customers.push_back(people
                                  .Add({{"name", "客户" + std::to_string(step)},
                                        {"phone", "1380000" + std::to_string(1000 + rng() % 40)},
                                        {"budget", std::to_string(100 + rng() % 300) + "万"},
                                        {"created_at", FormatTime(at)}})
                                  .id);
          continue;
        }
        const std::string& id = customers[rng() % customers.size()];
        switch (rng() % 10) {
          case 0:
          case 1:
            people.Set(id, {{"stage", kStages[rng() % kStages.size()]}});
            break;
          case 2:
          case 3:
            interactions.push_back(
                activities.AddInteraction(id, {.type = kInteractionTypes[rng() % 3],
                                               .at_ms = at,
                                               .minutes = static_cast<int64_t>(rng() % 90)}));
            // Now and then an earlier interaction is moved in time or deleted.
            if (rng() % 4 == 0) {
              const std::string& earlier = interactions[rng() % interactions.size()];
              if (rng() % 2) {
                tablet.Write("interaction", earlier, {{"at", FormatTime(at - kDay)}});
              } else {
                tablet.Write("interaction", earlier, {{kDeletedField, true}});
              }
            }
            break;
          case 4:
            activities.AddDeal(id, "3-" + std::to_string(rng() % 9), 3'000'000 + rng() % 1000,
                               kDealStatuses[rng() % 4]);
            break;
          case 5:
            activities.AddReferral(customers[rng() % customers.size()], id);
            break;
          case 6:
            tablet.Write("survey_response", tablet.NewId(),
                         {{"customer", id}, {"at", FormatTime(at)}, {"nps", rng() % 11}});
            break;
          case 7:
            people.Merge(customers[rng() % customers.size()], id);
            break;
          case 8:
            if (rng() % 3 == 0) people.Delete(id);
            break;
          default:
            if (step > 120 && rng() % 2) office->Erase(id);
        }
      } catch (const std::exception&) {
        // Deleted, erased or already-merged targets are refused.
      }
      if (&tablet == east.get()) sync_all(false);
      if (step % 40 == 39) {
        times.push_back(wall - static_cast<int64_t>(rng() % 20) * kDay);
        CheckAgainstScratch(*office, times);
      }
      if (step % 10 == 9) {
        CheckKeptFacts(*office, reporting);
        CheckLatestInteraction(*east);
      }
    }
    sync_all(true);  // west's late changes arrive
    times.push_back(wall + kDay);
    CheckAgainstScratch(*office, times);
    CheckKeptFacts(*office, reporting);
    CheckAgainstScratch(*replica, times);
  }
}
