// The referral program: a signed deal of a referred customer earns the referrer the configured
// reward exactly once, even when several replicas observe the deal and grant it independently.
#include <doctest/doctest.h>

#include "fieldcrm/model/rewards.h"
#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

std::vector<json> Rewards(Store& store) {
  Statement& stmt = StoreDatabase(store).Prepare(
      "SELECT doc FROM records WHERE kind = 'reward' AND deleted = 0 ORDER BY id");
  stmt.Bind();
  std::vector<json> out;
  while (stmt.Step()) out.push_back(json::parse(stmt.Text(0)));
  stmt.Reset();
  return out;
}

struct Referred {
  std::string owner, friend_, stranger;
};

Referred Setup(Replica& r) {
  Referred p;
  p.owner = r.Customer("老业主", "13800000001", "2025-01-01", {{"stage", "owner"}});
  p.friend_ = r.Customer("朋友", "13800000002", "2026-03-01");
  p.stranger = r.Customer("路人", "13800000003", "2026-03-01");
  r.Referral(p.owner, p.friend_);
  return p;
}

TEST_CASE("a referred customer's signed deal grants the referrer's reward once") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Referred p = Setup(tablet);
  auto host = BuiltinHost(tablet.store());
  tablet.Deal(p.friend_, 3000000, "reserved", "2026-04-01");  // not signed yet
  tablet.Deal(p.stranger, 2000000, "signed", "2026-04-01");   // signed, but nobody referred them
  CHECK(ReviewCustomers(tablet.store(), *host, kAsOf).created == 0);

  std::string deal = tablet.Deal(p.friend_, 3500000, "signed", "2026-05-02T10:00Z");
  ReviewResult first = ReviewCustomers(tablet.store(), *host, kAsOf);
  CHECK(first.failures.empty());
  CHECK(first.created == 1);
  int64_t log = tablet.LogSize();
  CHECK(ReviewCustomers(tablet.store(), *host, kAsOf).created == 0);  // nothing new, no writes
  CHECK(tablet.LogSize() == log);

  auto rewards = Rewards(tablet.store());
  REQUIRE(rewards.size() == 1);
  CHECK(rewards[0]["referrer"] == p.owner);
  CHECK(rewards[0]["referee"] == p.friend_);
  CHECK(rewards[0]["deal"] == deal);
  CHECK(rewards[0]["points"] == 1000);
  CHECK(rewards[0]["benefit"] == "两年物业费");
  CHECK(rewards[0]["granted_at"] == "2026-05-02T10:00:00Z");

  auto board = ReferralLeaderboard(tablet.store());
  REQUIRE(board.size() == 1);
  CHECK(board[0]["name"] == "老业主");
  CHECK(board[0]["referrals"] == 1);
  CHECK(board[0]["points"] == 1000);
  CHECK(RewardHistory(tablet.store(), p.owner).size() == 1);
  CHECK(RewardHistory(tablet.store(), p.stranger).empty());
}

TEST_CASE("two replicas that both see the signed deal end up with one reward") {
  TempDir dir;
  Replica a(dir, "a"), b(dir, "b", "李强", "滨江二组");
  Referred p = Setup(a);
  std::string deal = a.Deal(p.friend_, 3000000, "reserved", "2026-04-01");
  Sync(a.store(), b.store());
  // Head office (b) changes the program; then the deal is signed on tablet a.
  auto host_b = BuiltinHost(b.store());
  SetPluginConfig(b.store(), host_b->Get("referral"),
                  {{"reward", {{"points", 500}, {"benefit", "家电积分"}}}});
  a.store().Write("deal", deal, {{"status", "signed"}, {"signed_at", "2026-05-02T10:00:00Z"}});
  Sync(a.store(), b.store());

  // Each replica reviews on its own, before hearing from the other.
  auto host_a = BuiltinHost(a.store());
  host_b = BuiltinHost(b.store());
  CHECK(ReviewCustomers(a.store(), *host_a, kAsOf).created == 1);
  CHECK(ReviewCustomers(b.store(), *host_b, kAsOf).created == 1);
  Sync(a.store(), b.store());

  auto on_a = Rewards(a.store());
  auto on_b = Rewards(b.store());
  REQUIRE(on_a.size() == 1);
  REQUIRE(on_b.size() == 1);
  CHECK(on_a == on_b);
  CHECK(on_a[0]["points"] == 500);  // the synced program config, on both
  CHECK(on_a[0]["benefit"] == "家电积分");
  CHECK(ReferralLeaderboard(a.store()) == ReferralLeaderboard(b.store()));
  // And after the merge, nobody grants it again.
  CHECK(ReviewCustomers(a.store(), *host_a, kAsOf).created == 0);
  CHECK(ReviewCustomers(b.store(), *host_b, kAsOf).created == 0);
}

TEST_CASE("a referrer merged into another customer is credited under the surviving id") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  Referred p = Setup(tablet);
  std::string twin = tablet.Customer("老业主(重复)", "13800000009", "2025-06-01");
  Customers(tablet.store()).Merge(twin, p.owner);
  tablet.Deal(p.friend_, 3000000, "signed", "2026-05-02");
  auto host = BuiltinHost(tablet.store());
  CHECK(ReviewCustomers(tablet.store(), *host, kAsOf).created == 1);
  auto history = RewardHistory(tablet.store(), p.owner);  // the old id still finds them
  REQUIRE(history.size() == 1);
  CHECK(history[0]["referrer"] == twin);
  CHECK(history[0]["referrer_name"] == "老业主(重复)");
}

}  // namespace
}  // namespace fieldcrm::testing
