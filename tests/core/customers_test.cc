#include "fieldcrm/model/customers.h"

#include <doctest/doctest.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/amounts.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::StateDump;
using fieldcrm::testing::TempDir;
using nlohmann::json;

namespace {

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = CreateCustomerStore(
      dir.File("tablet.db"), {.name = "booth-1", .agent = "王芳", .team = "滨江一组"});
  Customers customers{*store};
  Activities activities{*store};
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "a customer is stored with typed, normalised fields") {
  auto added = customers.Add({{"name", "张伟"},
                              {"phone", "138 0013 8000"},
                              {"budget", "350万"},
                              {"source", "来访"},
                              {"purpose", "改善"},
                              {"tags", "学区，地铁, 学区"},
                              {"gender", "男"},
                              {"birthday", "1988-03-09"},
                              {"office.wechat", "zw88"}});
  CHECK_FALSE(added.existed);
  json c = customers.Get(added.id);
  CHECK(c["id"] == added.id);
  CHECK(c["name"] == "张伟");
  CHECK(c["phone"] == "+8613800138000");
  CHECK(c["budget"] == 3500000);
  CHECK(c["source"] == "walk-in");
  CHECK(c["purpose"] == "upgrade");
  CHECK(c["tags"] == json::array({"学区", "地铁"}));
  CHECK(c["gender"] == "male");
  CHECK(c["birthday"] == "1988-03-09");
  CHECK(c["office.wechat"] == "zw88");
  CHECK(c["stage"] == "prospect");  // every customer starts as a prospect
  CHECK(c["agent"] == "王芳");      // the tablet's agent and team by default
  CHECK(c["team"] == "滨江一组");
  CHECK(c.contains("created_at"));
  CHECK(c.contains("updated_at"));
}

TEST_CASE_FIXTURE(Fixture,
                  "adding a known phone returns the existing customer and writes nothing") {
  std::string id = customers.Add({{"name", "李娜"}, {"phone", "13900001111"}}).id;
  std::string before = StateDump(StoreDatabase(*store));
  auto again = customers.Add({{"name", "李娜 (again)"}, {"phone", "+86 139-0000-1111"}});
  CHECK(again.existed);
  CHECK(again.id == id);
  CHECK(StateDump(StoreDatabase(*store)) == before);
  CHECK(customers.FindByPhone("8613900001111").value()["id"] == id);
  CHECK_FALSE(customers.FindByPhone("13900002222").has_value());
}

TEST_CASE_FIXTURE(Fixture,
                  "many customers in one write: the same changes and records as one by one") {
  std::string existing = customers.Add({{"name", "陈静"}, {"phone", "13912345678"}}).id;
  int64_t before = store->LogSize();
  std::vector<FieldValues> batch = {
      Customers::Parse({{"name", "张伟"}, {"phone", "13800138000"}, {"budget", "350万"}}),
      Customers::Parse({{"name", "李娜"}, {"phone", "13900001111"}}),
      Customers::Parse({{"name", "张伟二"}, {"phone", "+86 138 0013 8000"}}),  // same phone
      Customers::Parse({{"name", "陈静二"}, {"phone", "139 1234 5678"}}),      // on the store
  };
  std::vector<AddedCustomer> added = customers.AddParsedMany(std::move(batch));
  REQUIRE(added.size() == 4);
  CHECK(!added[0].existed);
  CHECK(!added[1].existed);
  CHECK(added[2].existed);
  CHECK(added[2].id == added[0].id);
  CHECK(added[3].existed);
  CHECK(added[3].id == existing);
  // Two customers of name, phone, (budget,) agent, team, stage and created_at: 13 changes, with
  // this device's sequence numbers following on without a gap.
  CHECK(store->LogSize() - before == 13);
  CHECK(store->LastOwnSeq() == store->LogSize());
  json zhang = customers.Get(added[0].id);
  CHECK(zhang["name"] == "张伟");
  CHECK(zhang["budget"] == 3500000);
  CHECK(zhang["agent"] == "王芳");
  CHECK(customers.Get(added[1].id)["stage"] == "prospect");
  CHECK(customers.List({}).size() == 3);
}

TEST_CASE_FIXTURE(Fixture, "bad input is refused with a clear message and changes nothing") {
  std::string id = customers.Add({{"name", "陈静"}, {"phone", "13700001111"}}).id;
  std::string before = StateDump(StoreDatabase(*store));
  CHECK_THROWS_WITH_AS(customers.Add({{"name", "x"}}), doctest::Contains("phone"), InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Add({{"phone", "13700002222"}}), doctest::Contains("name"),
                       InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Set(id, {{"shoe_size", "42"}}),
                       doctest::Contains("unknown customer field 'shoe_size'"), InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Set(id, {{"stage", "vip"}}),
                       doctest::Contains("expected one of: prospect, intent, buyer, owner"),
                       InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Set(id, {{"budget", "lots"}}), doctest::Contains("invalid budget"),
                       InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Set(id, {{"phone", "12"}}), doctest::Contains("invalid phone"),
                       InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Set(id, {{"birthday", "2026-02-30"}}),
                       doctest::Contains("invalid birthday"), InvalidInput);
  CHECK_THROWS_WITH_AS(customers.Set(id, {{"_deleted", "true"}}), doctest::Contains("maintained"),
                       InvalidInput);
  CHECK_THROWS_AS(customers.Set("01000000-0000-7000-8000-000000000000", {{"city", "杭州"}}),
                  NotFound);
  // A batch with one bad field writes none of the good ones.
  CHECK_THROWS_AS(customers.Set(id, {{"city", "杭州"}, {"stage", "vip"}}), InvalidInput);
  CHECK(StateDump(StoreDatabase(*store)) == before);
}

TEST_CASE_FIXTURE(Fixture, "set edits and clears fields; a phone of another customer is refused") {
  std::string id = customers.Add({{"name", "王磊"}, {"phone", "13700001111"}, {"notes", "x"}}).id;
  std::string other = customers.Add({{"name", "赵敏"}, {"phone", "13700002222"}}).id;
  customers.Set(id, {{"stage", "意向"}, {"notes", ""}, {"city", "杭州"}});
  json c = customers.Get(id);
  CHECK(c["stage"] == "intent");
  CHECK_FALSE(c.contains("notes"));
  CHECK(c["city"] == "杭州");
  CHECK_THROWS_WITH_AS(customers.Set(other, {{"phone", "137 0000 1111"}}),
                       doctest::Contains(("already belongs to customer " + id).c_str()),
                       InvalidInput);
}

TEST_CASE_FIXTURE(Fixture, "merge folds a duplicate in: fields, history and the old id follow") {
  std::string keep = customers.Add({{"name", "周杰"}, {"phone", "13600001111"}}).id;
  std::string drop =
      customers
          .Add(
              {{"name", "周杰伦"}, {"phone", "13600002222"}, {"city", "杭州"}, {"budget", "500万"}})
          .id;
  activities.AddInteraction(drop, {.type = "visit", .note = "第一次到访"});
  std::string deal = activities.AddDeal(drop, "3-1502", 4800000, "reserved");
  customers.Merge(keep, drop);

  json merged = customers.Get(drop);  // the old id still resolves
  CHECK(merged["id"] == keep);
  CHECK(merged["name"] == "周杰");  // keep's values win
  CHECK(merged["city"] == "杭州");  // drop fills the gaps
  CHECK(merged["budget"] == 5000000);
  CHECK(merged["aliases"] == json::array({drop}));
  CHECK(activities.Of(keep, "interaction").size() == 1);
  CHECK(activities.Of(keep, "deal").at(0)["id"] == deal);
  CHECK(customers.List({}).size() == 1);
  CHECK_THROWS_WITH_AS(customers.Merge(drop, keep), doctest::Contains("already the same customer"),
                       InvalidInput);
}

TEST_CASE_FIXTURE(Fixture, "delete hides the customer; list filters by stage, team and agent") {
  std::string a = customers.Add({{"name", "甲"}, {"phone", "13600000001"}, {"stage", "intent"}}).id;
  std::string b =
      customers
          .Add({{"name", "乙"}, {"phone", "13600000002"}, {"team", "城东二组"}, {"agent", "李强"}})
          .id;
  customers.Add({{"name", "丙"}, {"phone", "13600000003"}});
  CHECK(customers.List({.stage = "intent"}).size() == 1);
  CHECK(customers.List({.team = "城东二组"}).at(0)["id"] == b);
  CHECK(customers.List({.agent = "王芳"}).size() == 2);
  customers.Delete(a);
  CHECK_THROWS_WITH_AS(customers.Get(a), doctest::Contains("deleted"), NotFound);
  CHECK(customers.List({}).size() == 2);
  // The phone of a deleted customer is free again.
  CHECK_FALSE(customers.Add({{"name", "甲2"}, {"phone", "13600000001"}}).existed);
}

TEST_CASE_FIXTURE(Fixture, "interactions, follow-up tasks, deals and referrals") {
  std::string owner =
      customers.Add({{"name", "老业主"}, {"phone", "13500000001"}, {"stage", "owner"}}).id;
  std::string buyer = customers.Add({{"name", "新客"}, {"phone", "13500000002"}}).id;
  activities.AddInteraction(buyer, {.type = "visit",
                                    .at_ms = ParseTime("2026-11-01T10:00+08:00", "at"),
                                    .note = "看样板间",
                                    .minutes = 40});
  activities.AddInteraction(
      buyer, {.type = "followup", .note = "微信回访", .channel = "微信", .outcome = "周六再来"});
  auto history = activities.Of(buyer, "interaction");
  REQUIRE(history.size() == 2);
  CHECK(history[0]["at"] == "2026-11-01T02:00:00Z");
  CHECK(history[0]["minutes"] == 40);
  CHECK(history[1]["channel"] == "wechat");

  std::string late = activities.AddTask(buyer, ParseTime("2026-01-01", "due"), "电话回访");
  std::string later = activities.AddTask(buyer, ParseTime("2099-01-01", "due"), "交房提醒");
  int64_t now = ParseTime("2026-06-01", "now");
  auto overdue = activities.OpenTasks(now);
  REQUIRE(overdue.size() == 1);
  CHECK(overdue[0]["id"] == late);
  CHECK(overdue[0]["customer_name"] == "新客");
  activities.CompleteTask(late);
  CHECK(activities.OpenTasks(now).empty());
  CHECK(activities.OpenTasks(std::nullopt).at(0)["id"] == later);

  std::string deal = activities.AddDeal(buyer, "5-801", 3200000, "认购");
  activities.SetDealStatus(deal, "signed");
  json d = activities.Of(buyer, "deal").at(0);
  CHECK(d["status"] == "signed");
  CHECK(d.contains("reserved_at"));
  CHECK(d.contains("signed_at"));
  CHECK_THROWS_WITH_AS(activities.AddDeal(buyer, "5-801", 0, "signed"),
                       doctest::Contains("price 0 is out of range (1 to 1000000000000)"),
                       InvalidInput);
  CHECK_THROWS_AS(activities.SetDealStatus(deal, "paid"), InvalidInput);

  std::string referral = activities.AddReferral(owner, buyer);
  CHECK(activities.Of(buyer, "referral").at(0)["referrer"] == owner);
  CHECK_THROWS_AS(activities.AddReferral(owner, owner), InvalidInput);
  CHECK_THROWS_AS(activities.AddInteraction("no-such-id", {}), NotFound);
  CHECK_THROWS_AS(activities.CompleteTask(referral), NotFound);
}

TEST_CASE("time and money parsing") {
  setenv("TZ", "UTC", 1);  // a time without an offset is local time
  tzset();
  CHECK(ParseTime("2026-11-25", "t") == 1795564800000);
  CHECK(ParseTime("2026-11-25T08:00+08:00", "t") == 1795564800000);
  CHECK(ParseTime("2026-11-25T00:00:00Z", "t") == 1795564800000);
  CHECK(FormatTime(1795564800000) == "2026-11-25T00:00:00Z");
  CHECK_THROWS_AS(ParseTime("25/11/2026", "t"), InvalidInput);
  CHECK_THROWS_AS(ParseTime("2026-13-01", "t"), InvalidInput);
  CHECK(ParseAmount("b", "1,200,000") == 1200000);
  CHECK(ParseAmount("b", "1.5亿") == 150000000);
  CHECK_THROWS_AS(ParseAmount("b", "-5"), InvalidInput);
  CHECK(ParseAmount("b", "350万元") == 3500000);
  CHECK(ParseAmount("b", "0.5") == 1);  // rounded to the yuan
  CHECK(ParseAmount("b", "10000亿") == kMaxAmountCny);
  CHECK_THROWS_AS(ParseAmount("b", "10000000000001"), InvalidInput);
  CHECK_THROWS_AS(ParseAmount("b", "nan"), InvalidInput);
  CHECK(ParseDate("d", "2000/2/29") == "2000-02-29");
  CHECK(ParseDate("d", "36585") == "2000-02-29");
  CHECK_THROWS_AS(ParseDate("d", "1900/2/29"), InvalidInput);
  CHECK(NumberInRange(nlohmann::json{{"budget", 1e20}}, "budget") == std::nullopt);
  CHECK(NumberInRange(nlohmann::json{{"budget", -1}}, "budget") == std::nullopt);
  CHECK(NumberInRange(nlohmann::json{{"budget", 5}}, "budget") == 5);
  CHECK(IntField(nlohmann::json{{"price", 9223372036854775807}}, "price") == 0);
}

TEST_CASE("local time: shown with its offset, read back as the same instant") {
  setenv("TZ", "Asia/Shanghai", 1);
  tzset();
  CHECK(ParseTime("2026-11-25 08:00", "t") == 1795564800000);
  CHECK(ParseTime("2026/11/25 08:00", "t") == 1795564800000);
  CHECK(FormatLocalTime(1795564800000) == "2026-11-25 08:00 +08:00");
  CHECK(ParseTime(FormatLocalTime(1795564800000), "t") == 1795564800000);
  CHECK(ParseTime("2026-11-25T00:00Z", "t") == 1795564800000);
  CHECK(LocalTimeText("2026-11-25T00:00:00Z") == "2026-11-25 08:00 +08:00");
  CHECK(LocalTimeText("soon") == "soon");
  CHECK(LocalOffsetMinutes(1795564800000) == 480);
  setenv("TZ", "UTC", 1);
  tzset();
}
