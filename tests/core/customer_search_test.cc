#include "fieldcrm/projections/customer_search.h"

#include <doctest/doctest.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/schema.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = CreateCustomerStore(dir.File("tablet.db"), {.name = "booth-1"});
  Customers customers{*store};
  std::string zhang = customers.Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  std::string zhang_li =
      customers.Add({{"name", "张丽"}, {"phone", "13900001234"}, {"stage", "intent"}}).id;
  std::string wang = customers.Add({{"name", "王小张"}, {"phone", "13700005678"}}).id;

  std::string Plan(const std::string& sql) {
    Statement& stmt = StoreDatabase(*store).Prepare("EXPLAIN QUERY PLAN " + sql);
    std::string plan;
    while (stmt.Step()) plan += stmt.Text(3) + "\n";
    stmt.Reset();
    return plan;
  }
};

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE_FIXTURE(Fixture, "names: those starting with the text first, then containing it") {
  CHECK(SearchCustomers(*store, {"张"}) == Ids{zhang_li, zhang, wang});
  CHECK(SearchCustomers(*store, {"张", "intent"}) == Ids{zhang_li});
  CHECK(SearchCustomers(*store, {"小张"}) == Ids{wang});
  CHECK(SearchCustomers(*store, {"张", std::nullopt, 1}) == Ids{zhang_li});
  CHECK(SearchCustomers(*store, {"赵"}).empty());
}

TEST_CASE_FIXTURE(Fixture, "phones: by their last four or more digits, and by their first digits") {
  CHECK(SearchCustomers(*store, {"1234"}) == Ids{zhang_li});
  CHECK(SearchCustomers(*store, {"01234"}) == Ids{zhang_li});
  CHECK(SearchCustomers(*store, {"91234"}).empty());
  CHECK_THROWS_AS(SearchCustomers(*store, {"123"}), InvalidInput);
  CHECK(CustomersByPhonePrefix(*store, "138", 5) == Ids{zhang});
  CHECK(CustomersByPhonePrefix(*store, "13", 5).empty());  // too few digits to mean anything
  CHECK(CustomersByPhonePrefix(*store, "1380013800", 5) == Ids{zhang});
  CHECK(CustomersByPhonePrefix(*store, "8613800138000", 5) == Ids{zhang});
}

TEST_CASE_FIXTURE(Fixture, "merged and deleted customers are not found; stage lists newest first") {
  customers.Delete(wang);
  CHECK(SearchCustomers(*store, {"5678"}).empty());
  CHECK(SearchCustomers(*store, {"小张"}).empty());
  customers.Merge(zhang, zhang_li);
  CHECK(SearchCustomers(*store, {"1234"}).empty());
  CHECK(SearchCustomers(*store, {""}) == Ids{zhang});
}

TEST_CASE_FIXTURE(Fixture, "each search reads an index, not the whole table") {
  CHECK(Plan("SELECT id FROM records WHERE kind = 'customer' AND substr(phone, -4) = '1234'")
            .find("records_by_phone_tail") != std::string::npos);
  CHECK(Plan("SELECT id FROM customer_facts WHERE name >= 'a' AND name < 'b'")
            .find("customer_facts_by_name") != std::string::npos);
  CHECK(Plan("SELECT id FROM records WHERE phone >= '+86138' AND phone < '+86139' AND +kind = "
             "'customer' AND root = id AND deleted = 0 ORDER BY phone LIMIT 5")
            .find("records_by_phone") != std::string::npos);
  CHECK(Plan("SELECT id FROM records WHERE kind = 'customer' AND stage = 'intent' AND root = id "
             "AND deleted = 0 ORDER BY id DESC LIMIT 50")
            .find("TEMP B-TREE") == std::string::npos);
  CHECK(SchemaVersion(StoreDatabase(*store)) == kSchemaVersion);
}
