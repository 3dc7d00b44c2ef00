// Scoping: an agent of team B never receives team A's records and cannot change them; records
// without a customer are global (everyone receives them, only head office writes them).
#include <doctest/doctest.h>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

bool Has(Store& store, const std::string& record) {
  return StoreDatabase(store)
             .QueryInt("SELECT count(*) FROM log WHERE record = ?", record)
             .value() > 0;
}

struct Teams {
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::unique_ptr<Store> a = NewTablet(dir.File("a.db"), "wang", "A");
  std::unique_ptr<Store> b = NewTablet(dir.File("b.db"), "li", "B");
  std::unique_ptr<Store> office = NewTablet(dir.File("office.db"), "hq", "");
  std::string token_a = server.Token("wang", "A");
  std::string token_b = server.Token("li", "B");
  std::string token_office = server.Token("hq", "", sync::Role::kOffice);
  std::string customer_a, visit_a, customer_b;

  Teams() {
    customer_a = Customers(*a).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    visit_a = Activities(*a).AddInteraction(customer_a, {});
    customer_b = Customers(*b).Add({{"name", "李娜"}, {"phone", "13900139000"}}).id;
    SyncAll();
  }

  void SyncAll() {
    for (int round = 0; round < 2; ++round) {
      SyncWith(*a, server.url(), token_a);
      SyncWith(*b, server.url(), token_b);
      SyncWith(*office, server.url(), token_office);
    }
  }
};

TEST_CASE("an agent receives only its own team's customers and what hangs off them") {
  Teams t;
  CHECK(Has(*t.a, t.customer_a));
  CHECK_FALSE(Has(*t.a, t.customer_b));
  CHECK(Has(*t.b, t.customer_b));
  CHECK_FALSE(Has(*t.b, t.customer_a));
  CHECK_FALSE(Has(*t.b, t.visit_a));
  CHECK(Customers(*t.b).List({}).size() == 1);
  CHECK(Has(*t.office, t.customer_a));
  CHECK(Has(*t.office, t.visit_a));
  CHECK(Has(*t.office, t.customer_b));
  CHECK(CanonicalDump(*t.office) == CanonicalDump(t.server.storage().store()));
}

TEST_CASE("an agent cannot change another team's records; the rest of the push is applied") {
  Teams t;
  Store& central = t.server.storage().store();
  t.b->Write("customer", t.customer_a, {{"stage", "buyer"}});
  t.b->Write("interaction", t.b->NewId(), {{"customer", t.customer_a}, {"type", "visit"}});
  Customers(*t.b).Set(t.customer_b, {{"stage", "intent"}});
  Customers(*t.b).Set(t.customer_b, {{"team", "A"}});
  sync::SyncReport report = SyncWith(*t.b, t.server.url(), t.token_b);
  REQUIRE(report.refused.size() == 4);
  CHECK(report.refused[0].reason ==
        "customer " + t.customer_a +
            " is not your team B's: only its team and head office may change it");
  CHECK(report.refused[3].reason == "only head office may move a customer to another team");
  CHECK(Customers(central).Get(t.customer_a)["stage"] == "prospect");
  CHECK(Customers(central).Get(t.customer_b)["stage"] == "intent");
  CHECK(Customers(central).Get(t.customer_b)["team"] == "B");
  CHECK(sync::PendingChanges(*t.b) == 0);  // refused changes are reported once, not resent
}

TEST_CASE("records without a customer are global: all receive them, only head office writes") {
  Teams t;
  std::string survey = t.office->NewId();
  t.office->Write("survey", survey, {{"title", "满意度回访"}, {"questions", {"NPS"}}});
  std::string config = t.a->NewId();
  t.a->Write("plugin_config", config, {{"plugin", "tiering"}});
  t.SyncAll();
  CHECK(Has(*t.a, survey));
  CHECK(Has(*t.b, survey));
  CHECK_FALSE(Has(t.server.storage().store(), config));
  CHECK_FALSE(Has(*t.b, config));
}

TEST_CASE("a device's changes are accepted only with the token it syncs with") {
  Teams t;
  Customers(*t.a).Set(t.customer_a, {{"stage", "intent"}});
  std::string other = t.server.Token("intruder", "A");
  CHECK_THROWS_WITH_AS(SyncWith(*t.a, t.server.url(), other),
                       doctest::Contains("syncs with another token: head office revokes that one"),
                       sync::ProtocolError);
  CHECK(Customers(t.server.storage().store()).Get(t.customer_a)["stage"] == "prospect");
  // Once head office revokes the old token, the device moves to the new one.
  for (const auto& token : t.server.storage().ListTokens()) {
    if (token.agent == "wang")
      t.server.storage().RevokeToken(token.id, "2026-01-01T00:00:00Z", false);
  }
  CHECK(SyncWith(*t.a, t.server.url(), other).sent == 1);
  CHECK(Customers(t.server.storage().store()).Get(t.customer_a)["stage"] == "intent");
}

TEST_CASE("an agent cannot merge a customer into another team's") {
  Teams t;
  t.b->Write("customer", t.customer_b, {{"_merged_into", t.customer_a}});
  sync::SyncReport report = SyncWith(*t.b, t.server.url(), t.token_b);
  REQUIRE(report.refused.size() == 1);
  CHECK(report.refused[0].reason.starts_with(
      "cannot merge into a customer that is not your team B's"));
  CHECK(Customers(t.server.storage().store()).List({}).size() == 2);
}

}  // namespace
}  // namespace fieldcrm::testing
