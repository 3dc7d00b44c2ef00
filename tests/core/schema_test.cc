#include "fieldcrm/storage/schema.h"

#include <doctest/doctest.h>

#include <fstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::StateDump;
using fieldcrm::testing::TempDir;

TEST_CASE("an older store is upgraded in place, keeping its data") {
  TempDir dir;
  std::string path = dir.File("old.db");
  {
    Database db(path, true);
    MigrateSchema(db, 1);  // a file as version 1 of fieldcrm wrote it
    db.Exec("INSERT INTO meta VALUES('device_id', 'dev-1'), ('device_name', 'booth')");
    db.Exec(
        "INSERT INTO log(device, seq, hlc, base, kind, record, field, value) "
        "VALUES('dev-1', 1, 65536, 0, 'customer', 'c1', 'name', '\"张伟\"')");
    CHECK(SchemaVersion(db) == 1);
  }
  auto store = OpenCustomerStore(path);
  CHECK(SchemaVersion(StoreDatabase(*store)) == kSchemaVersion);
  CHECK(store->device().name == "booth");
  CHECK(store->ReadLog(0, 10).size() == 1);
  StoreDatabase(*store).Exec("SELECT count(*) FROM conflicts");  // the table version 2 added
}

namespace {

// Writes a store with seed(store), takes it back to what an older version left (as_older: SQL
// undoing the later steps and setting that version) and checks that opening it migrates it to
// the same state.
template <typename Seed>
void CheckUpgradeRestores(const std::string& as_older, Seed seed) {
  TempDir dir;
  std::string path = dir.File("old.db");
  std::string state;
  {
    auto store = CreateCustomerStore(path, {.name = "booth", .team = "滨江一组"});
    seed(*store);
    state = StateDump(StoreDatabase(*store));
    StoreDatabase(*store).Exec(as_older);
  }
  auto store = OpenCustomerStore(path);
  CHECK(SchemaVersion(StoreDatabase(*store)) == kSchemaVersion);
  CHECK(StateDump(StoreDatabase(*store)) == state);
}

}  // namespace

TEST_CASE("a version-2 store gets its fact tables filled from its records") {
  // As version 2 left it: no fact tables, nor the search indexes of version 4.
  CheckUpgradeRestores(
      "DROP TABLE customer_facts; DROP TABLE history_facts; DROP INDEX records_by_phone_tail; "
      "PRAGMA user_version = 2",
      [](Store& store) {
        std::string id = Customers(store)
                             .Add({{"name", "张伟"}, {"phone", "13800000001"}, {"agent", "王芳"}})
                             .id;
        Activities(store).AddInteraction(id, {.type = "visit", .minutes = 40});
        CHECK(StoreDatabase(store).QueryInt("SELECT count(*) FROM history_facts") == 1);
      });
}

TEST_CASE("a version-6 store gets its customers' tag counts from their records") {
  // As version 6 left it: customer_facts without the columns of steps 7 and 8.
  CheckUpgradeRestores(
      "ALTER TABLE customer_facts DROP COLUMN tags; "
      "ALTER TABLE customer_facts DROP COLUMN last_interaction_ms; PRAGMA user_version = 6",
      [](Store& store) {
        Customers customers(store);
        customers.Add({{"name", "张伟"}, {"phone", "13800000001"}, {"tags", "学区,改善"}});
        customers.Add({{"name", "李娜"}, {"phone", "13800000002"}});
        CHECK(StoreDatabase(store).QueryInt("SELECT sum(tags) FROM customer_facts") == 2);
      });
}

TEST_CASE("a version-7 store gets its customers' latest interactions from their history") {
  // As version 7 left it: customer_facts without the column.
  CheckUpgradeRestores(
      "ALTER TABLE customer_facts DROP COLUMN last_interaction_ms; PRAGMA user_version = 7",
      [](Store& store) {
        Customers customers(store);
        std::string visited = customers.Add({{"name", "张伟"}, {"phone", "13800000001"}}).id;
        customers.Add({{"name", "李娜"}, {"phone", "13800000002"}});
        Activities activities(store);
        activities.AddInteraction(visited, {.type = "visit", .at_ms = 1'780'000'000'000});
        activities.AddInteraction(visited, {.type = "call", .at_ms = 1'790'000'000'000});
        CHECK(StoreDatabase(store).QueryInt("SELECT count(*) FROM customer_facts WHERE "
                                            "last_interaction_ms = 1790000000000") == 1);
      });
}

TEST_CASE("a store from a newer fieldcrm is refused with a clear message") {
  TempDir dir;
  std::string path = dir.File("new.db");
  CreateCustomerStore(path, {.name = "booth"});
  {
    Database db(path, false);
    db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  }
  CHECK_THROWS_WITH_AS(OpenCustomerStore(path), doctest::Contains("upgrade fieldcrm"),
                       StorageError);
}

TEST_CASE("files that are not fieldcrm stores are refused and left untouched") {
  TempDir dir;
  std::string text = dir.File("notes.txt");
  std::ofstream(text) << "this is not a database, just some notes that are long enough\n";
  CHECK_THROWS_WITH_AS(OpenCustomerStore(text), doctest::Contains("not a fieldcrm store"),
                       InvalidInput);

  std::string other = dir.File("other.db");
  {
    Database db(other, true);
    db.Exec("CREATE TABLE photos(id INTEGER)");
  }
  CHECK_THROWS_WITH_AS(OpenCustomerStore(other), doctest::Contains("another application"),
                       InvalidInput);
  Database db(other, false);
  CHECK(SchemaVersion(db) == 0);

  CHECK_THROWS_AS(OpenCustomerStore(dir.File("missing.db")), NotFound);
  CreateCustomerStore(dir.File("a.db"), {.name = "booth"});
  CHECK_THROWS_WITH_AS(CreateCustomerStore(dir.File("a.db"), {.name = "booth"}),
                       doctest::Contains("already exists"), InvalidInput);
}

TEST_CASE("the log's history indexes are on a store only when it asks for them") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("tablet.db"), {.name = "booth"});
  auto history_indexes = [&] {
    return StoreDatabase(*store)
        .QueryInt(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
            "name IN ('log_by_record', 'log_by_field')")
        .value_or(-1);
  };
  CHECK(history_indexes() == 0);  // a tablet: every change writes the log and its key only
  store->IndexHistory();
  store->IndexHistory();  // idempotent
  CHECK(history_indexes() == 2);
  std::string path = store->path();
  store.reset();
  store = OpenCustomerStore(path);
  CHECK(history_indexes() == 2);
}
