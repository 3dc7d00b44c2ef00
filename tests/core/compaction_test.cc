#include "fieldcrm/storage/compaction.h"

#include <doctest/doctest.h>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::StateDump;
using fieldcrm::testing::TempDir;
using nlohmann::json;

namespace {

Change Edit(std::string device, int64_t seq, Hlc hlc, std::string field, const json& value,
            std::string record = "c1") {
  return {std::move(device), seq,         hlc, hlc - 1, "customer", std::move(record),
          std::move(field),  value.dump()};
}

int64_t LogCount(Store& store) {
  return StoreDatabase(store).QueryInt("SELECT count(*) FROM log").value_or(0);
}

bool InLog(Store& store, const std::string& device, int64_t seq) {
  return StoreDatabase(store)
      .QueryInt("SELECT 1 FROM log WHERE device = ? AND seq = ?", device, seq)
      .has_value();
}

}  // namespace

TEST_CASE("compaction drops superseded entries, keeps every winner, and the state is unchanged") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("t.db"), {.name = "t"});
  std::vector<Change> changes;
  for (int64_t i = 1; i <= 10; ++i) changes.push_back(Edit("other", i, Hlc(100 + i), "budget", i));
  changes.push_back(Edit("other", 11, 200, "name", "王伟"));
  store->ApplyRemote(changes);
  std::string before = StateDump(StoreDatabase(*store));

  CompactionStats stats = CompactLog(StoreDatabase(*store), store->device().id, 0);
  CHECK(stats.removed == 9);  // budget's nine earlier values
  CHECK(stats.kept == 2);
  CHECK(LogCount(*store) == 2);
  CHECK(InLog(*store, "other", 10));
  CHECK(InLog(*store, "other", 11));
  CHECK(StateDump(StoreDatabase(*store)) == before);

  SUBCASE("a removed change arriving again changes nothing") {
    store->ApplyRemote(changes);
    CHECK(StateDump(StoreDatabase(*store)) == before);
  }
}

TEST_CASE("compaction keeps own entries the server does not hold yet, and the latest own seq") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("t.db"), {.name = "t"});
  std::string id = Customers(*store).Add({{"name", "李娜"}, {"phone", "13800138000"}}).id;
  store->Write("customer", id, {{"notes", "first"}});
  int64_t pushed = StoreDatabase(*store).QueryInt("SELECT MAX(pos) FROM log").value_or(0);
  store->Write("customer", id, {{"notes", "second"}});  // not pushed yet
  store->Write("customer", id, {{"notes", "third"}});   // not pushed yet
  int64_t last_seq = store->LastOwnSeq();

  CompactLog(StoreDatabase(*store), store->device().id, pushed);
  // "first" was pushed and superseded: gone. "second" is superseded but not pushed: kept.
  CHECK_FALSE(StoreDatabase(*store)
                  .QueryInt("SELECT 1 FROM log WHERE value = ?", json("first").dump())
                  .has_value());
  CHECK(StoreDatabase(*store)
            .QueryInt("SELECT 1 FROM log WHERE value = ?", json("second").dump())
            .has_value());

  // Everything pushed, and another device overwrote the latest own write: its seq still numbers
  // the next write, so it stays.
  Change later = Edit("other", 1, store->clock().Now() + 1000, "notes", "from head office", id);
  store->ApplyRemote(std::vector{later});
  CompactLog(StoreDatabase(*store), store->device().id, 1'000'000);
  CHECK(store->LastOwnSeq() == last_seq);
  store->Write("customer", id, {{"notes", "fourth"}});
  CHECK(store->LastOwnSeq() == last_seq + 1);
}
