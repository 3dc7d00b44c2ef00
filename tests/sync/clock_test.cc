// Clock skew, in process (the real processes under faketime are in clock_heal_test.cc): a tablet
// whose clock runs days ahead stamps its unsent changes again with the server's time and syncs;
// no stamp beyond the server's bound spreads. Clocks behind sync.
#include <doctest/doctest.h>

#include "fieldcrm/model/customers.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

constexpr int64_t kDay = 86400000;

// Makes store's clock run `offset_ms` off real time, as a tablet with a wrong date would.
void SkewClock(Store& store, int64_t offset_ms) {
  store.clock() =
      HybridClock(store.clock().last(), [=] { return Env::Default().NowMillis() + offset_ms; });
}

TEST_CASE("a tablet days ahead stamps its unsent changes again and syncs; nothing spreads") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  ManualEnv ahead(Env::Default().NowMillis() + 3 * kDay);  // a clock 3 days ahead, standing still
  auto tablet = NewTablet(dir.File("tablet.db"), "wang", "A", ahead);
  auto other = NewTablet(dir.File("other.db"), "li", "A");
  std::string id = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  Customers(*tablet).Set(id, {{"stage", "intent"}});
  int64_t pending = sync::PendingChanges(*tablet);
  CHECK(HlcMillis(tablet->clock().last()) > Env::Default().NowMillis() + 2 * kDay);

  std::string wang_token = server.Token("wang", "A");
  sync::SyncReport report = SyncWith(*tablet, server.url(), wang_token);
  CHECK(report.push_error.empty());
  CHECK(report.clock_skew_ms > 2 * kDay);
  CHECK(report.restamped == pending);
  CHECK(report.sent == pending);
  CHECK(sync::PendingChanges(*tablet) == 0);
  int64_t now = Env::Default().NowMillis();
  Store& central = server.storage().store();
  for (const auto& entry : central.ReadLog(0, 1000)) {
    CHECK(HlcMillis(entry.change.hlc) <= now + sync::kDefaultMaxClockAheadMs);
  }
  // Its next write follows the server's clock, though its own still runs ahead.
  Customers(*tablet).Set(id, {{"notes", "看过样板间"}});
  CHECK(HlcMillis(tablet->clock().last()) < Env::Default().NowMillis() + 60000);

  // A colleague edits the customer afterwards: the later edit wins everywhere, and his clock
  // is not moved by what he received.
  std::string li_token = server.Token("li", "A");
  SyncWith(*other, server.url(), li_token);
  Customers(*other).Set(id, {{"stage", "buyer"}});
  CHECK(HlcMillis(other->clock().last()) < Env::Default().NowMillis() + 60000);
  SyncWith(*other, server.url(), li_token);
  SyncWith(*tablet, server.url(), wang_token);
  CHECK(Customers(*tablet).Get(id)["stage"] == "buyer");
  CHECK(CanonicalDump(*tablet) == CanonicalDump(central));
}

TEST_CASE("a tablet whose clock runs behind syncs, and its skew is recorded") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  auto tablet = NewTablet(dir.File("tablet.db"), "wang", "A");
  SkewClock(*tablet, -2 * kDay);
  Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}});
  sync::SyncOptions behind;
  behind.wall = [] { return Env::Default().NowMillis() - 2 * kDay; };
  sync::SyncReport report = SyncWith(*tablet, server.url(), server.Token("wang", "A"), behind);
  CHECK(report.push_error.empty());
  CHECK(report.sent > 0);
  CHECK(report.clock_skew_ms < -kDay);
  CHECK(std::stoll(tablet->GetMeta(sync::kClockSkewKey).value()) == report.clock_skew_ms);
}

}  // namespace
}  // namespace fieldcrm::testing
