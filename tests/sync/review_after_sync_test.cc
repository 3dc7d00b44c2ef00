// The review after a sync is proportional to what arrived: through a real server, a tablet that
// receives a colleague's changes shows the plugins (the built-in referral and tiering .so) only
// the customers whose bundles hold a received record (the host's own count), and the referral
// rule still rewards the referrer when the customer they brought signs elsewhere.
#include <doctest/doctest.h>

#include "fieldcrm/application/session.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/rewards.h"
#include "fieldcrm/projections/customer_store.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

constexpr const char* kTeam = "滨江一组";

SessionOptions At(const std::string& db) {
  SessionOptions options;
  options.db_path = db;
  return options;
}

// The review the session runs after a sync of its store (the tablet's `fieldcrm sync`, minus
// the plugin delivery this server has none of).
std::optional<ReviewResult> SyncAndReview(Session& session, const std::string& url,
                                          const std::string& token) {
  SyncWith(session.store(), url, token);
  return session.ReviewAfterSync(/*push_failed=*/false, /*plugins_changed=*/false);
}

TEST_CASE("a sync that receives changes reviews the customers they concern, and only those") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string token_a = server.Token("王芳", kTeam), token_b = server.Token("李强", kTeam);
  auto a = NewTablet(dir.File("a.db"), "王芳", kTeam);
  NewTablet(dir.File("b.db"), "李强", kTeam).reset();
  Session b(At(dir.File("b.db")));

  // Tablet A registers 40 customers, one of whom referred another who reserved a flat.
  Customers customers(*a);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(customers
                      .Add({{"name", "客户" + std::to_string(i)},
                            {"phone", "1380013" + std::to_string(8000 + i)}})
                      .id);
  }
  const std::string &referrer = ids[0], &referee = ids[1], &other = ids[2];
  Activities activities(*a);
  activities.AddReferral(referrer, referee);
  std::string deal = activities.AddDeal(referee, "5-801", 3'000'000, "reserved");
  SyncWith(*a, server.url(), token_a);

  // B's first sync receives everything: every customer is reviewed.
  auto first = SyncAndReview(b, server.url(), token_b);
  REQUIRE(first);
  CHECK(first->reviewed == 40);
  CHECK(first->failures.empty());
  CHECK(RewardHistory(b.store()).empty());

  // Nothing arrives: no review.
  CHECK_FALSE(SyncAndReview(b, server.url(), token_b));

  // On A the deal is signed (written without A's own review, so that no reward travels) and
  // another customer's budget changes: B reviews those two customers and grants the reward.
  activities.SetDealStatus(deal, "signed");
  customers.Set(other, {{"budget", "500万"}});
  SyncWith(*a, server.url(), token_a);
  CHECK(RewardHistory(*a).empty());
  auto signed_deal = SyncAndReview(b, server.url(), token_b);
  REQUIRE(signed_deal);
  CHECK(signed_deal->reviewed == 2);
  CHECK(signed_deal->created == 1);
  auto rewards = RewardHistory(b.store(), referrer);
  REQUIRE(rewards.size() == 1);
  CHECK(rewards[0]["deal"] == deal);
  CHECK(rewards[0]["referee"] == referee);

  // A referral arriving concerns both ends: the referee it hangs under and the referrer.
  activities.AddReferral(ids[3], ids[4]);
  SyncWith(*a, server.url(), token_a);
  auto referral = SyncAndReview(b, server.url(), token_b);
  REQUIRE(referral);
  CHECK(referral->reviewed == 2);
  CHECK(referral->created == 0);
}

TEST_CASE("changes received but not reviewed yet (a sync cut short) are reviewed next time") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string token_a = server.Token("王芳", kTeam), token_b = server.Token("李强", kTeam);
  auto a = NewTablet(dir.File("a.db"), "王芳", kTeam);
  auto b = NewTablet(dir.File("b.db"), "李强", kTeam);
  Customers customers(*a);
  std::string referrer = customers.Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  std::string referee = customers.Add({{"name", "李娜"}, {"phone", "13900001111"}}).id;
  Activities(*a).AddReferral(referrer, referee);
  std::string deal = Activities(*a).AddDeal(referee, "5-801", 3'000'000, "signed");
  SyncWith(*a, server.url(), token_a);
  // B receives the signed deal, and its process ends before the review.
  SyncWith(*b, server.url(), token_b);
  b.reset();

  Session session(At(dir.File("b.db")));
  auto review = SyncAndReview(session, server.url(), token_b);  // receives nothing new
  REQUIRE(review);
  CHECK(review->reviewed == 2);
  CHECK(review->created == 1);
  CHECK(RewardHistory(session.store(), referrer).size() == 1);
  CHECK_FALSE(session.ReviewAfterSync(false, false));
}

}  // namespace
}  // namespace fieldcrm::testing
