// Erasing a customer for good (docs/privacy.md) on real store files: the person's values leave
// the log, field_state, records, conflicts and the fact tables, and the file itself; a late or
// re-sent change about them is erased on arrival; replicas taking in the same changes in any
// order, the erasure among them, end identical.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/replicas.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::AllChanges;
using fieldcrm::testing::Apply;
using fieldcrm::testing::SharedCustomers;
using fieldcrm::testing::ShuffledReplica;
using fieldcrm::testing::StateDump;
using fieldcrm::testing::TempDir;
using fieldcrm::testing::ThreeTablets;

namespace {

constexpr const char* kName = "鲁智深";
constexpr const char* kPhone = "13912345678";
constexpr const char* kPhoneStored = "+8613912345678";
constexpr const char* kNote = "SECRET-NOTE-7731";

// Rows of core's tables (and the fact tables) whose text contains `text`.
int64_t RowsContaining(Store& store, const std::string& text) {
  Database& db = StoreDatabase(store);
  int64_t rows = 0;
  for (const char* sql :
       {"SELECT count(*) FROM log WHERE instr(COALESCE(value, ''), ?1) > 0",
        "SELECT count(*) FROM field_state WHERE instr(COALESCE(value, ''), ?1) > 0",
        "SELECT count(*) FROM records WHERE instr(doc, ?1) > 0 OR instr(COALESCE(phone, ''), ?1)",
        "SELECT count(*) FROM conflicts WHERE instr(COALESCE(loser_value, '') || "
        "COALESCE(winner_value, ''), ?1) > 0",
        "SELECT count(*) FROM customer_facts WHERE instr(COALESCE(name, ''), ?1) > 0"}) {
    rows += db.QueryInt(sql, text).value_or(0);
  }
  return rows;
}

bool FileContains(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(text) != std::string::npos;
}

std::string AddPerson(Store& store) {
  return Customers(store)
      .Add({{"name", kName}, {"phone", kPhone}, {"notes", kNote}, {"team", "滨江一组"}})
      .id;
}

}  // namespace

TEST_CASE("erasure: the customer, its aliases and its records lose their values, history too") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("hq.db"), {.name = "hq", .team = "滨江一组"});
  Customers customers(*store);
  Activities activities(*store);
  std::string person = AddPerson(*store);
  // The same person registered again under another number, merged into the first.
  std::string alias =
      customers.Add({{"name", kName}, {"phone", "13700001111"}, {"city", "杭州"}}).id;
  customers.Merge(person, alias);
  customers.Set(person, {{"notes", std::string(kNote) + "-v2"}});
  activities.AddInteraction(person, {.note = std::string(kNote) + "-visit"});
  activities.AddTask(alias, 1'800'000'000'000, std::string(kNote) + "-task");
  std::string other = customers.Add({{"name", "林冲"}, {"phone", "13800001111"}}).id;
  std::string referral = activities.AddReferral(other, person);
  // A concurrent edit from another tablet that lost: a conflict kept with the note in it.
  Hlc older = store->clock().Now() - 1;
  Apply(*store, {{"tablet-b", 1, older, 1, "customer", person, "notes",
                  nlohmann::json(std::string(kNote) + "-b").dump()}});
  REQUIRE(store->ConflictCount() == 1);
  REQUIRE(RowsContaining(*store, kNote) > 0);

  Store::Erasure erasure = store->Erase(alias);  // any id of the person will do
  CHECK_FALSE(erasure.already_erased);
  CHECK(erasure.removed.instructions == 1);
  CHECK(erasure.removed.records == 5);  // two customers, the visit, the task, the referral
  CHECK(erasure.removed.conflicts == 1);
  CHECK(erasure.removed.log_entries > 10);
  for (const std::string& text : {std::string(kName), std::string(kPhoneStored), std::string(kNote),
                                  std::string("杭州"), std::string("13700001111")}) {
    CAPTURE(text);
    CHECK(RowsContaining(*store, text) == 0);
  }
  CHECK(store->ConflictCount() == 0);
  CHECK(store->ErasureCount() == 1);
  Database& db = StoreDatabase(*store);
  CHECK(db.QueryInt("SELECT count(*) FROM customer_facts").value_or(-1) == 1);  // 林冲 only
  CHECK(db.QueryInt("SELECT count(*) FROM history_facts").value_or(-1) == 0);
  CHECK(db.QueryInt("SELECT count(*) FROM records WHERE id IN (?, ?, ?) AND deleted = 1", person,
                    alias, referral)
            .value_or(0) == 3);
  // What keeps sync's scope and the links survives: the team, the referral's ids.
  CHECK(db.QueryText("SELECT team FROM records WHERE id = ?", person) == "滨江一组");
  CHECK(db.QueryText("SELECT json_extract(doc, '$.referrer') FROM records WHERE id = ?",
                     referral) == other);
  CHECK_THROWS_AS(customers.Get(person), NotFound);
  CHECK(customers.Get(other)["name"] == "林冲");

  // Erasing again changes nothing; an id that is no customer is refused.
  CHECK(store->Erase(person).already_erased);
  CHECK(store->ErasureCount() == 1);
  CHECK_THROWS_AS(store->Erase("no-such-id"), NotFound);
  CHECK_THROWS_AS(store->Erase(referral), NotFound);

  // Nor does the file keep the bytes once the WAL is emptied (freed space is zeroed).
  REQUIRE(store->PurgeErasedBytes());
  for (const std::string& file : {dir.File("hq.db"), dir.File("hq.db-wal")}) {
    CAPTURE(file);
    CHECK_FALSE(FileContains(file, kNote));
    CHECK_FALSE(FileContains(file, kPhoneStored));
    CHECK_FALSE(FileContains(file, kName));
  }
  CHECK(FileContains(dir.File("hq.db"), "林冲"));
}

TEST_CASE("erasure: a late change is erased on arrival, a re-sent one is a duplicate") {
  TempDir dir;
  auto hq = CreateCustomerStore(dir.File("hq.db"), {.name = "hq", .team = "滨江一组"});
  auto tablet = CreateCustomerStore(dir.File("t.db"), {.name = "t", .team = "滨江一组"});
  std::string person = AddPerson(*hq);
  Apply(*tablet, AllChanges(*hq));
  // Offline, the tablet edits the person; meanwhile head office erases them.
  Customers(*tablet).Set(person, {{"notes", std::string(kNote) + "-offline"}});
  Activities(*tablet).AddInteraction(person, {.note = std::string(kNote) + "-visit"});
  std::vector<Change> offline;
  for (auto& entry : tablet->ReadLog(0, 1000, /*own_only=*/true)) offline.push_back(entry.change);
  hq->Erase(person);

  ApplyStats arrived = Apply(*hq, offline);
  CHECK(arrived.applied == static_cast<int64_t>(offline.size()));
  CHECK(arrived.erased.records == 2);  // the customer's new note and the new visit
  CHECK(RowsContaining(*hq, kNote) == 0);
  // Sent again (an acknowledgement lost), the original form is the change already held.
  ApplyStats again = Apply(*hq, offline);
  CHECK(again.duplicates == static_cast<int64_t>(offline.size()));

  ApplyStats pulled = Apply(*tablet, AllChanges(*hq));
  CHECK(pulled.erased.instructions == 1);
  CHECK(RowsContaining(*tablet, kNote) == 0);
  CHECK(RowsContaining(*tablet, kName) == 0);
  CHECK(StateDump(StoreDatabase(*tablet)) == StateDump(StoreDatabase(*hq)));
  // Each side's log now holds the other's changes in their erased form: applying them again is
  // a no-op both ways.
  CHECK(Apply(*hq, AllChanges(*tablet)).applied == 0);
  CHECK(Apply(*tablet, AllChanges(*hq)).applied == 0);
}

// Tablets edit, merge and delete offline; head office erases two customers while one tablet
// keeps editing them; replicas take everything in, in shuffled orders and random batches, with
// duplicates and with the erased form of changes besides the original: all end identical, and
// none holds the erased values.
TEST_CASE("erasure: randomised orders converge and keep nothing erased") {
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    TempDir dir;
    std::vector<std::unique_ptr<Store>> tablets = ThreeTablets(dir);
    std::vector<std::string> ids = SharedCustomers(tablets);
    auto edit = [&](Store& tablet, const std::string& id) {
      Customers customers(tablet);
      try {
        switch (rng() % 8) {
          case 0:
            customers.Delete(id);
            break;
          case 1:
            customers.Merge(ids[rng() % ids.size()], id);
            break;
          case 2:
            Activities(tablet).AddInteraction(id, {.note = std::string(kNote) + "-visit"});
            break;
          default:
            customers.Set(id, {{"notes", std::string(kNote) + std::to_string(rng() % 100)}});
        }
      } catch (const std::exception&) {
        // Deleted, erased or already-merged targets are refused; that is fine here.
      }
    };
    for (int step = 0; step < 30; ++step) edit(*tablets[rng() % 3], ids[rng() % ids.size()]);
    tablets[0]->Erase(ids[0]);
    tablets[0]->Erase(ids[1]);
    for (int step = 0; step < 10; ++step) edit(*tablets[1], ids[rng() % 2]);

    std::vector<Change> all = AllChanges(tablets);
    std::string expected;
    for (int replica = 0; replica < 4; ++replica) {
      auto store = ShuffledReplica(dir, replica, all, rng);
      std::string dump = StateDump(StoreDatabase(*store));
      if (replica == 0) {
        expected = dump;
        // The erased customers' own changes, and those of the records under them, are gone.
        for (int i = 0; i < 2; ++i) {
          CHECK(StoreDatabase(*store)
                    .QueryInt("SELECT count(*) FROM field_state WHERE record = ? AND field = "
                              "'name' AND value <> ?",
                              ids[static_cast<size_t>(i)], kErasedValue)
                    .value_or(-1) == 0);
        }
      } else {
        CHECK(dump == expected);
      }
    }
    for (auto& tablet : tablets) {
      Apply(*tablet, AllChanges(*tablets[0]));
      Apply(*tablet, all);
      CHECK(StateDump(StoreDatabase(*tablet)) == expected);
    }
  }
}
