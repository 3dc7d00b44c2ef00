// Clock skew, in process (the real processes under faketime are in clock_heal_test.cc): a tablet
// whose clock runs days ahead stamps its unsent changes again with the server's time and syncs;
// no stamp beyond the server's bound spreads. Clocks behind sync.
#include <doctest/doctest.h>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/sync/transport.h"
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

// Passes every call on; right after the health check, steps the server's clock back by
// `step_ms`, as NTP fixing a server that ran fast would.
class StepServerClockAfterHealth : public sync::Transport {
 public:
  StepServerClockAfterHealth(sync::Transport& real, ManualEnv& server_clock, int64_t step_ms)
      : real_(real), server_clock_(server_clock), step_ms_(step_ms) {}
  sync::HttpReply Get(const std::string& path) override {
    sync::HttpReply reply = real_.Get(path);
    if (path == sync::kHealthPath) server_clock_.Advance(-step_ms_);
    return reply;
  }
  sync::HttpReply Post(const std::string& path, const nlohmann::json& body) override {
    return real_.Post(path, body);
  }
  void CompressRequests(bool on) override { real_.CompressRequests(on); }
  void Cancel() override { real_.Cancel(); }

 private:
  sync::Transport& real_;
  ManualEnv& server_clock_;
  int64_t step_ms_;
};

TEST_CASE("every answer carries the server's time, errors included") {
  TempDir dir;
  ManualEnv server_clock(Env::Default().NowMillis() - 7 * kDay);
  TestServer server(dir.File("server.db"), {}, server_clock);
  auto anonymous = sync::MakeHttpTransport(server.url(), "");
  for (const char* path : {sync::kHealthPath, sync::kPullPath, "/v1/no-such-endpoint"}) {
    CAPTURE(path);
    sync::HttpReply reply = anonymous->Get(path);
    CHECK(reply.server_time_ms == server_clock.NowMillis());
  }
  CHECK(anonymous->Get(sync::kPullPath).status == 401);
}

TEST_CASE("a push refused because the server's clock stepped back is stamped again and sent") {
  TempDir dir;
  constexpr int64_t kHour = 3600000;
  ManualEnv server_clock(Env::Default().NowMillis());
  TestServer server(dir.File("server.db"), {}, server_clock);
  auto tablet = NewTablet(dir.File("tablet.db"), "wang", "A");
  std::string id = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  int64_t pending = sync::PendingChanges(*tablet);

  auto http = sync::MakeHttpTransport(server.url(), server.Token("wang", "A"));
  StepServerClockAfterHealth transport(*http, server_clock, kHour);
  sync::SyncReport report = sync::SyncClient(*tablet, transport).Run();
  // The first push met a server an hour behind the stamps; its refusal carried that time.
  CHECK(report.push_error.empty());
  CHECK(report.clock_skew_ms > kHour - 60000);
  CHECK(report.restamped == pending);
  CHECK(report.sent == pending);
  CHECK(sync::PendingChanges(*tablet) == 0);
  for (const auto& entry : server.storage().store().ReadLog(0, 1000)) {
    CHECK(HlcMillis(entry.change.hlc) <= server_clock.NowMillis() + sync::kDefaultMaxClockAheadMs);
  }
  CHECK(CanonicalDump(*tablet) == CanonicalDump(server.storage().store()));
}

}  // namespace
}  // namespace fieldcrm::testing
