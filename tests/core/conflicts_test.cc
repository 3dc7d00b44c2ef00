#include "fieldcrm/storage/conflicts.h"

#include <doctest/doctest.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::TempDir;

namespace {

std::vector<Change> Log(Store& store) {
  std::vector<Change> out;
  for (auto& entry : store.ReadLog(0, 1 << 30)) out.push_back(entry.change);
  return out;
}

}  // namespace

TEST_CASE("a value that lost a conflict is listed, restored as a new write, and syncs") {
  TempDir dir;
  auto a = CreateCustomerStore(dir.File("a.db"), {.name = "booth-a"});
  auto b = CreateCustomerStore(dir.File("b.db"), {.name = "booth-b"});
  std::string id = Customers(*a).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  b->ApplyRemote(Log(*a));
  // Both change the budget without seeing the other's change: b writes later and wins.
  Customers(*a).Set(id, {{"budget", "300万"}});
  Customers(*b).Set(id, {{"budget", "350万"}});
  a->ApplyRemote(Log(*b));
  std::vector<LostWrite> lost = ListConflicts(*a);
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].record == id);
  CHECK(lost[0].kind == "customer");
  CHECK(lost[0].field == "budget");
  CHECK(lost[0].lost_value == 3000000);
  CHECK(lost[0].lost_device == a->device().id);
  CHECK(lost[0].kept_value == 3500000);
  CHECK(lost[0].kept_device == b->device().id);
  CHECK(Customers(*a).Get(id)["budget"] == 3500000);

  RestoreLostWrite(*a, id, "budget", lost[0].lost_hlc, lost[0].lost_device);
  CHECK(Customers(*a).Get(id)["budget"] == 3000000);
  CHECK(ListConflicts(*a).empty());
  // The restore is an ordinary change: the other replica takes it without a new conflict.
  b->ApplyRemote(Log(*a));
  CHECK(Customers(*b).Get(id)["budget"] == 3000000);
  CHECK(ListConflicts(*b).size() <= 1);  // b kept a's first losing write, if it saw both

  CHECK_THROWS_AS(RestoreLostWrite(*a, id, "budget", lost[0].lost_hlc, lost[0].lost_device),
                  NotFound);
}
