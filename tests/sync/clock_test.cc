// Clock skew: a tablet whose clock runs days ahead cannot push (the client stops before sending,
// the server refuses stamps too far ahead); its changes wait, never lost. Clocks behind sync.
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

TEST_CASE("a tablet days ahead is stopped before it sends, then refused until its stamps are due") {
  TempDir dir;
  std::string server_db = dir.File("server.db");
  auto tablet = NewTablet(dir.File("tablet.db"), "wang", "A");
  auto other = NewTablet(dir.File("other.db"), "li", "A");
  std::string token, other_token;
  {
    TestServer server(server_db);
    token = server.Token("wang", "A");
    other_token = server.Token("li", "A");
    Customers(*other).Add({{"name", "李娜"}, {"phone", "13900139000"}});
    SyncWith(*other, server.url(), other_token);

    SkewClock(*tablet, 3 * kDay);
    Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}});
    int64_t pending = sync::PendingChanges(*tablet);
    sync::SyncOptions skewed;
    skewed.wall = [] { return Env::Default().NowMillis() + 3 * kDay; };
    sync::SyncReport report = SyncWith(*tablet, server.url(), token, skewed);
    CHECK(report.push_error.find("this tablet's clock is 3 days ahead") != std::string::npos);
    CHECK(report.sent == 0);
    CHECK(report.received > 0);  // pulling still works
    CHECK(sync::PendingChanges(*tablet) == pending);
    CHECK(LogCount(server.storage().store(), tablet->device().id) == 0);

    // The clock is fixed, but what was stamped while it was wrong is still days ahead.
    SkewClock(*tablet, 0);
    report = SyncWith(*tablet, server.url(), token);
    CHECK(report.push_error.find("days ahead of the server's clock") != std::string::npos);
    CHECK(sync::PendingChanges(*tablet) == pending);
    CHECK(LogCount(server.storage().store(), tablet->device().id) == 0);
  }
  // Head office may choose to accept them by widening the bound.
  TestServer lenient(server_db, {.max_clock_ahead_ms = 4 * kDay});
  sync::SyncReport report = SyncWith(*tablet, lenient.url(), token);
  CHECK(report.push_error.empty());
  CHECK(sync::PendingChanges(*tablet) == 0);
  CHECK(CanonicalDump(*tablet) == CanonicalDump(lenient.storage().store()));
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
