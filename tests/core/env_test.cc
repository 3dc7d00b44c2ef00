// Time comes from the Env a store is given: with a fixed clock, what a write stamps (the store's
// creation time, a customer's created_at, a task's done_at, the HLC of every change, the time
// order of new ids) is known to the millisecond, without sleeping.
#include "fieldcrm/base/env.h"

#include <doctest/doctest.h>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::TempDir;

namespace {

// The HLC milliseconds of every change in the store's log after position `after`.
std::vector<int64_t> StampedMillis(Store& store, int64_t after = 0) {
  std::vector<int64_t> millis;
  for (const auto& logged : store.ReadLog(after, 1000)) {
    millis.push_back(HlcMillis(logged.change.hlc));
  }
  return millis;
}

}  // namespace

TEST_CASE("a fixed Env fixes what a write stamps") {
  TempDir dir;
  const int64_t t0 = ParseTime("2026-11-25T09:30:00Z", "t0");
  ManualEnv env(t0);
  auto store =
      CreateCustomerStore(dir.File("tablet.db"), {.name = "booth-1", .agent = "王芳"}, env);
  CHECK(store->GetMeta("created_at") == "2026-11-25T09:30:00.000Z");
  CHECK(env.NowIso() == "2026-11-25T09:30:00.000Z");

  std::string id = Customers(*store).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  CHECK(Customers(*store).Get(id)["created_at"] == "2026-11-25T09:30:00Z");
  std::vector<int64_t> stamps = StampedMillis(*store);
  REQUIRE_FALSE(stamps.empty());
  for (int64_t ms : stamps) CHECK(ms == t0);

  env.Advance(90'500);
  Activities activities(*store);
  std::string task = activities.AddTask(id, t0 + 86'400'000, "call back");
  activities.CompleteTask(task);
  std::optional<std::string> done_at;
  for (const auto& logged : store->ReadLog(0, 1000)) {
    if (logged.change.record == task && logged.change.field == "done_at") {
      done_at = logged.change.value;
    }
  }
  CHECK(done_at == "\"2026-11-25T09:31:30Z\"");
  for (int64_t ms : StampedMillis(*store, static_cast<int64_t>(stamps.size()))) {
    CHECK(ms == t0 + 90'500);
  }
}

TEST_CASE("a store reopened with its clock set back still stamps after everything it wrote") {
  TempDir dir;
  const int64_t t0 = ParseTime("2026-11-25T09:30:00Z", "t0");
  ManualEnv env(t0);
  std::string path = dir.File("tablet.db");
  Hlc last = 0;
  {
    auto store = CreateCustomerStore(path, {.name = "booth-1"}, env);
    Customers(*store).Add({{"name", "张伟"}, {"phone", "13800138000"}});
    last = store->clock().last();
  }
  env.Set(t0 - 3'600'000);  // the tablet's clock was put back an hour
  auto store = OpenCustomerStore(path, env);
  std::string later = store->NewId();
  CHECK(store->clock().last() > last);
  CHECK(HlcMillis(store->clock().last()) == t0);  // the counter moved, not the wall time

  env.Set(t0 + 1'000);  // and forward again: wall time wins, ids keep their time order
  std::string newest = store->NewId();
  CHECK(HlcMillis(store->clock().last()) == t0 + 1'000);
  CHECK(later < newest);
}
