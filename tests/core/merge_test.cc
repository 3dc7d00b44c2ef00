#include "fieldcrm/storage/merge.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/records.h"
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
using nlohmann::json;

namespace {

Change Write(std::string device, int64_t seq, Hlc hlc, Hlc base, std::string field,
             std::optional<json> value, std::string record = "c1") {
  Change c{std::move(device), seq,         hlc, base, "customer", std::move(record),
           std::move(field),  std::nullopt};
  if (value) c.value = value->dump();
  return c;
}

json Doc(Store& store, const std::string& id) {
  Statement& stmt = StoreDatabase(store).Prepare("SELECT doc FROM records WHERE id = ?");
  stmt.Bind(id);
  REQUIRE(stmt.Step());
  json doc = json::parse(stmt.Text(0));
  stmt.Reset();
  return doc;
}

int64_t Count(Store& store, const std::string& sql) {
  Statement& stmt = StoreDatabase(store).Prepare(sql);
  stmt.Step();
  int64_t n = stmt.Int(0);
  stmt.Reset();
  return n;
}

}  // namespace

TEST_CASE("last writer wins per field, in any arrival order") {
  TempDir dir;
  auto forward = CreateCustomerStore(dir.File("f.db"), {.name = "f"});
  auto backward = CreateCustomerStore(dir.File("b.db"), {.name = "b"});
  std::vector<Change> changes = {Write("A", 1, 100, 0, "name", "张伟"),
                                 Write("A", 2, 200, 100, "name", "张伟伟"),
                                 Write("B", 1, 150, 0, "stage", "intent")};
  Apply(*forward, changes);
  std::reverse(changes.begin(), changes.end());
  Apply(*backward, changes);
  CHECK(Doc(*forward, "c1")["name"] == "张伟伟");
  CHECK(Doc(*forward, "c1")["stage"] == "intent");
  CHECK(StateDump(StoreDatabase(*forward)) == StateDump(StoreDatabase(*backward)));
}

TEST_CASE("applying a change twice is a no-op") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  std::vector<Change> changes = {Write("A", 1, 100, 0, "name", "李娜")};
  CHECK(Apply(*store, changes).applied == 1);
  std::string before = StateDump(StoreDatabase(*store));
  ApplyStats again = Apply(*store, changes);
  CHECK(again.applied == 0);
  CHECK(again.duplicates == 1);
  CHECK(StateDump(StoreDatabase(*store)) == before);
  CHECK(Count(*store, "SELECT count(*) FROM log") == 1);
}

TEST_CASE("a different change under a known (device, seq) is refused and changes nothing") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  Apply(*store, {Write("A", 1, 100, 0, "name", "李娜")});
  std::string before = StateDump(StoreDatabase(*store));
  CHECK_THROWS_WITH_AS(Apply(*store, {Write("B", 1, 300, 0, "name", "ok"),
                                      Write("A", 1, 100, 0, "name", "tampered")}),
                       doctest::Contains("differs from the change already recorded"), InvalidInput);
  CHECK(StateDump(StoreDatabase(*store)) == before);
}

TEST_CASE("concurrent writes of one field: deterministic winner, loser kept in conflicts") {
  TempDir dir;
  Change from_a = Write("A", 1, 500, 100, "budget", 3000000);
  Change from_b = Write("B", 1, 400, 100, "budget", 3500000);
  std::string dumps[2], conflicts[2];
  for (int order = 0; order < 2; ++order) {
    auto store = CreateCustomerStore(dir.File("s" + std::to_string(order) + ".db"), {.name = "s"});
    Apply(*store, {Write("A", 0 + 9, 100, 0, "budget", 2000000)});
    ApplyStats stats =
        order == 0 ? Apply(*store, {from_a, from_b}) : Apply(*store, {from_b, from_a});
    CHECK(stats.conflicts == 1);
    CHECK(Doc(*store, "c1")["budget"] == 3000000);
    Statement& stmt = StoreDatabase(*store).Prepare(
        "SELECT loser_value, loser_device, winner_value, winner_device FROM conflicts");
    REQUIRE(stmt.Step());
    conflicts[order] = stmt.Text(0) + stmt.Text(1) + stmt.Text(2) + stmt.Text(3);
    stmt.Reset();
    dumps[order] = StateDump(StoreDatabase(*store));
  }
  CHECK(conflicts[0] == "3500000B3000000A");
  CHECK(conflicts[0] == conflicts[1]);
  CHECK(dumps[0] == dumps[1]);
}

TEST_CASE("a write made after seeing the previous value is an edit, not a conflict") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  ApplyStats stats = Apply(*store, {Write("A", 1, 100, 0, "notes", "first"),
                                    Write("B", 1, 200, 100, "notes", "second")});
  CHECK(stats.conflicts == 0);
  CHECK(Doc(*store, "c1")["notes"] == "second");
  // Equal values written concurrently agree: nothing to review either.
  CHECK(Apply(*store, {Write("C", 1, 300, 100, "notes", "second")}).conflicts == 0);
}

TEST_CASE("ties on the clock resolve by device id, then value") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  Apply(*store, {Write("B", 1, 100, 0, "city", "杭州"), Write("A", 1, 100, 0, "city", "上海")});
  CHECK(Doc(*store, "c1")["city"] == "杭州");
}

TEST_CASE("deletes: a null removes a field, the tombstone hides the record for good") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  Apply(*store, {Write("A", 1, 100, 0, "name", "王磊"), Write("A", 2, 110, 0, "notes", "x"),
                 Write("A", 3, 120, 110, "notes", std::nullopt)});
  CHECK_FALSE(Doc(*store, "c1").contains("notes"));
  Apply(*store, {Write("A", 4, 200, 0, kDeletedField, true),
                 Write("B", 1, 300, 100, "name", "王磊磊")});  // a late edit elsewhere
  CHECK(Count(*store, "SELECT deleted FROM records WHERE id = 'c1'") == 1);
  CHECK(Doc(*store, "c1")["name"] == "王磊磊");  // kept, still hidden
}

TEST_CASE("merged customers resolve to the root of their alias chain") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  Apply(*store, {Write("A", 1, 100, 0, "name", "甲", "k1"),
                 Write("A", 2, 100, 0, "phone", "+8613800000001", "k1"),
                 Write("A", 3, 100, 0, "name", "乙", "k2"),
                 Write("A", 4, 100, 0, "notes", "乙的备注", "k2"),
                 Write("A", 5, 100, 0, "name", "丙", "k3")});
  Apply(*store, {Write("A", 6, 200, 0, kMergedIntoField, "k2", "k3"),
                 Write("A", 7, 210, 0, kMergedIntoField, "k1", "k2")});
  CHECK(ResolveCustomerRoot(StoreDatabase(*store), "k3") == "k1");
  json root = Doc(*store, "k1");
  CHECK(root["name"] == "甲");         // the survivor's own values win
  CHECK(root["notes"] == "乙的备注");  // the gaps are filled from the aliases
  CHECK(root["aliases"] == json::array({"k2", "k3"}));

  // Two devices merged the pair each way at once: the smallest id of the cycle survives.
  Apply(*store, {Write("B", 1, 300, 0, kMergedIntoField, "k3", "k1")});
  CHECK(ResolveCustomerRoot(StoreDatabase(*store), "k2") == "k1");
  CHECK(ResolveCustomerRoot(StoreDatabase(*store), "k3") == "k1");
}

// Three tablets edit offline, then every replica takes in everything, in shuffled orders, in
// random batches, with duplicates: all end byte-identical.
TEST_CASE("randomised: any order, any duplication, same state") {
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    TempDir dir;
    std::vector<std::unique_ptr<Store>> tablets = ThreeTablets(dir);
    std::vector<std::string> ids = SharedCustomers(tablets);

    const char* fields[] = {"stage", "budget", "notes", "city", "tags"};
    const char* values[] = {"intent", "300万", "看房", "杭州", "学区"};
    for (int step = 0; step < 60; ++step) {
      Store& tablet = *tablets[rng() % 3];
      Customers customers(tablet);
      const std::string& id = ids[rng() % ids.size()];
      try {
        switch (rng() % 10) {
          case 0:  // the same person registered on several tablets
            ids.push_back(
                customers
                    .Add({{"name", "新客"}, {"phone", "1390000000" + std::to_string(rng() % 3)}})
                    .id);
            break;
          case 1:
            customers.Delete(id);
            break;
          case 2:
            customers.Merge(ids[rng() % ids.size()], id);
            break;
          default: {
            int f = rng() % 5;
            customers.Set(id, {{fields[f], rng() % 4 == 0 ? "" : values[f]}});
          }
        }
      } catch (const std::exception&) {
        // Deleted or already-merged targets are refused; that is fine here.
      }
    }

    std::vector<Change> all = AllChanges(tablets);
    std::string expected;
    for (int replica = 0; replica < 4; ++replica) {
      auto store = ShuffledReplica(dir, replica, all, rng);
      std::string dump = StateDump(StoreDatabase(*store));
      if (replica == 0) {
        expected = dump;
      } else {
        CHECK(dump == expected);
      }
    }
    for (auto& tablet : tablets) {  // the tablets themselves, after taking in each other's logs
      Apply(*tablet, all);
      CHECK(StateDump(StoreDatabase(*tablet)) == expected);
    }
  }
}

TEST_CASE("the same person added on two offline tablets ends as one customer everywhere") {
  TempDir dir;
  auto a = CreateCustomerStore(dir.File("a.db"), {.name = "a", .team = "一组"});
  auto b = CreateCustomerStore(dir.File("b.db"), {.name = "b", .team = "一组"});
  std::string on_a =
      Customers(*a).Add({{"name", "周杰"}, {"phone", "13600001111"}, {"notes", "A记"}}).id;
  std::string on_b =
      Customers(*b).Add({{"name", "周杰"}, {"phone", "+86 136 0000 1111"}, {"city", "杭州"}}).id;
  REQUIRE(on_a != on_b);
  // Exchange logs until neither has anything new for the other.
  for (int round = 0; round < 3; ++round) {
    b->ApplyRemote(AllChanges(*a));
    a->ApplyRemote(AllChanges(*b));
  }
  std::string survivor = std::min(on_a, on_b);
  for (Store* store : {a.get(), b.get()}) {
    Customers customers(*store);
    CHECK(customers.Resolve(on_a) == survivor);
    CHECK(customers.Resolve(on_b) == survivor);
    CHECK(customers.List({}).size() == 1);
    json merged = customers.Get(survivor);
    CHECK(merged["notes"] == "A记");
    CHECK(merged["city"] == "杭州");
  }
  CHECK(StateDump(StoreDatabase(*a)) == StateDump(StoreDatabase(*b)));
}

TEST_CASE("a store that only writes locally records its clock, so opening it stays cheap") {
  TempDir dir;
  std::string path = dir.File("booth.db");
  ManualEnv env(1'764'000'000'000);
  Hlc latest = 0;
  {
    auto store = CreateCustomerStore(path, {.name = "booth"}, env);
    FieldValues fields;
    for (int f = 0; f < 10; ++f) fields.emplace_back("field" + std::to_string(f), f);
    Transaction txn = store->Transact();
    for (int i = 0; i < 600; ++i) store->Write("note", store->NewId(), fields);  // 6,000 changes
    txn.Commit();
    latest = store->clock().last();
  }
  Database db(path, false);
  auto checkpoint = db.QueryText("SELECT value FROM meta WHERE key = 'clock_checkpoint'");
  REQUIRE(checkpoint);
  int64_t covered = std::stoll(*checkpoint);  // "<log position> <stamp>"
  int64_t head = db.QueryInt("SELECT MAX(pos) FROM log").value_or(0);
  // Opening reads only the log after the checkpoint: a bounded tail, not the whole history.
  CHECK(covered > 0);
  CHECK(head - covered < 4096);
  env.Set(1'700'000'000'000);  // the wall clock went back; stamps must not
  auto reopened = OpenCustomerStore(path, env);
  CHECK(reopened->clock().Now() > latest);
}
