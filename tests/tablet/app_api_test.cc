// The app's API over a real store: registration with its duplicate check, find, the card and
// its writes, each going through the store's change log as the CLI's do.
#include <doctest/doctest.h>

#include "fieldcrm/model/customers.h"
#include "tests/support/run.h"
#include "tests/tablet/app_fixture.h"

using namespace fieldcrm;
using namespace fieldcrm::testing;
using nlohmann::json;

TEST_CASE_FIXTURE(AppFixture,
                  "registration finds a known phone while it is typed and never duplicates it") {
  auto first = Post("/api/customers", {{"name", "张伟"},
                                       {"phone", "138 0013 8000"},
                                       {"source", "来访"},
                                       {"budget", "350万元"},
                                       {"project", "滨江壹号"}});
  REQUIRE(first->status == 201);
  std::string id = Json(first)["id"];
  json lookup = Json(Get("/api/lookup?phone=1380013"));
  REQUIRE(lookup["matches"].size() == 1);
  CHECK(lookup["matches"][0]["id"] == id);
  CHECK(lookup["matches"][0]["agent"] == "王芳");
  CHECK(lookup["matches"][0]["stage"] == "prospect");
  CHECK(lookup["matches"][0].contains("created_at"));
  CHECK(Json(Get("/api/lookup?phone=139"))["matches"].empty());

  auto again = Post("/api/customers", {{"name", "张 伟"}, {"phone", "+86 138-0013-8000"}});
  CHECK(again->status == 409);
  CHECK(Json(again)["customer"]["id"] == id);
  auto store = OpenCustomerStore(db);
  CHECK(Customers(*store).List({}).size() == 1);
  CHECK(Customers(*store).Get(id)["budget"] == 3500000);

  auto bad = Post("/api/customers", {{"name", "李娜"}, {"phone", "12"}});
  CHECK(bad->status == 400);
  CHECK(Json(bad)["message"].get<std::string>().find("12") != std::string::npos);
}

TEST_CASE_FIXTURE(AppFixture, "find by name, last four digits and stage; the card and its writes") {
  std::string zhang =
      Json(Post("/api/customers", {{"name", "张伟"}, {"phone", "13800138000"}}))["id"];
  std::string li = Json(Post("/api/customers", {{"name", "李娜"}, {"phone", "13900001234"}}))["id"];
  CHECK(Json(Get("/api/find?q=1234"))["customers"][0]["id"] == li);
  CHECK(Json(Get("/api/find?q=%E5%BC%A0"))["customers"][0]["id"] == zhang);  // 张
  CHECK(Get("/api/find?q=123")->status == 400);
  CHECK(Get("/api/find?tier=B")->status == 200);
  CHECK(Get("/api/find?tier=E")->status == 400);

  CHECK(Post("/api/customers/" + zhang + "/interactions", {{"type", "visit"}, {"minutes", "40"}})
            ->status == 201);
  CHECK(Post("/api/customers/" + zhang + "/tasks",
             {{"due", "2020-01-02T03:00:00Z"}, {"note", "回访"}})
            ->status == 201);
  CHECK(Post("/api/customers/" + zhang, {{"stage", "意向"}})->status == 200);
  CHECK(Json(Get("/api/find?stage=intent"))["customers"].size() == 1);
  CHECK(Post("/api/customers/" + zhang + "/deals",
             {{"unit", "3-1502"}, {"price", "320万"}, {"status", "reserved"}})
            ->status == 201);
  auto referral =
      Post("/api/customers/" + zhang + "/referrals", {{"name", "王磊"}, {"phone", "13700005678"}});
  REQUIRE(referral->status == 201);
  CHECK_FALSE(Json(referral)["referee_existed"].get<bool>());

  json card = Json(Get("/api/customers/" + zhang));
  CHECK(card["customer"]["fields"]["stage"] == "intent");
  CHECK(card["interactions"].size() == 1);
  CHECK(card["tasks"].size() == 1);
  CHECK(card["deals"][0]["unit"] == "3-1502");
  CHECK(card["referrals_made"][0]["referee_name"] == "王磊");
  CHECK(card["tier"]["tier"].is_string());  // the tiering plugin's grade with its reasons
  CHECK(card["tier"]["explanation"]["factors"].is_array());

  json today = Json(Get("/api/today"));
  REQUIRE(today["tasks"].size() == 1);  // the follow-up due in 2020 is overdue
  CHECK(today["tasks"][0]["customer"] == zhang);
  std::string task = today["tasks"][0]["id"];
  CHECK(Post("/api/tasks/" + task + "/done", {{"customer", zhang}})->status == 200);
  CHECK(Json(Get("/api/today"))["tasks"].empty());

  CHECK(Get("/api/customers/nobody")->status == 404);
  CHECK(Post("/api/customers/" + zhang + "/deals", {{"unit", "1"}, {"price", "-3"}})->status ==
        400);
  // Every write is in the change log, as the CLI's are: the CLI reads them back.
  RunResult cli = Cli(db, {"--json", "customer", "get", zhang});
  CHECK(cli.exit_code == 0);
  CHECK(json::parse(cli.out)["stage"] == "intent");
}

TEST_CASE_FIXTURE(AppFixture, "the card's timeline carries complaints and repairs with status") {
  std::string zhang =
      Json(Post("/api/customers", {{"name", "张伟"}, {"phone", "13800138000"}}))["id"];
  RunResult complaint = Cli(db, {"complaint", "add", zhang, "--category", "物业"});
  REQUIRE_MESSAGE(complaint.exit_code == 0, complaint.err);
  REQUIRE(Cli(db, {"complaint", "answer", Line(complaint.out)}).exit_code == 0);
  REQUIRE(Cli(db, {"repair", "add", zhang, "--category", "漏水", "--unit", "3-1502"}).exit_code ==
          0);
  json card = Json(Get("/api/customers/" + zhang));
  REQUIRE(card["complaints"].size() == 1);
  CHECK(card["complaints"][0]["status"] == "answered");
  CHECK(card["complaints"][0]["category"] == "物业");
  REQUIRE(card["repairs"].size() == 1);
  CHECK(card["repairs"][0]["status"] == "opened");
  CHECK(card["repairs"][0]["unit"] == "3-1502");
}

TEST_CASE("first start: the set-up creates the store and remembers head office") {
  AppFixture fresh(false);
  json before = Json(fresh.Get("/api/status"));
  CHECK_FALSE(before["set_up"].get<bool>());
  CHECK(fresh.Post("/api/customers", {{"name", "x"}, {"phone", "13800138000"}})->status == 409);
  CHECK(
      fresh.Post("/api/setup", {{"server", "ftp://x"}, {"token", "t"}, {"device", "d"}})->status ==
      400);
  auto done = fresh.Post("/api/setup", {{"server", "https://hq.example:8443"},
                                        {"token", "agent-token"},
                                        {"device", "booth-7"},
                                        {"agent", "李强"}});
  CHECK(done->status == 200);
  json after = Json(fresh.Get("/api/status"));
  CHECK(after["set_up"].get<bool>());
  CHECK(after["device"] == "booth-7");
  CHECK(after["server"] == "https://hq.example:8443");
  CHECK(fresh.Post("/api/customers", {{"name", "x"}, {"phone", "13800138000"}})->status == 201);
}
