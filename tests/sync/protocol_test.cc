// The protocol's promises: a request sent twice gets the same answer and changes nothing, pages
// are bounded, gzip is used when both sides accept it, GET and POST pull agree.
#include "fieldcrm/sync/protocol.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include "fieldcrm/model/customers.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

struct Setup {
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::string token = server.Token("wang", "A");
  std::unique_ptr<Store> tablet = NewTablet(dir.File("tablet.db"), "wang", "A");
  httplib::Client http{server.url()};
  httplib::Headers auth{{"Authorization", "Bearer " + token}};

  json PushBody() {
    sync::PushRequest push{tablet->device().id, {}};
    for (const auto& entry : tablet->ReadLog(0, 1000, true)) push.changes.push_back(entry.change);
    return sync::ToJson(push);
  }
};

TEST_CASE("a push sent twice gets the same acknowledgement and is applied once") {
  Setup s;
  Customers(*s.tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}});
  std::string body = s.PushBody().dump();
  auto first = s.http.Post(sync::kPushPath, s.auth, body, "application/json");
  REQUIRE(first);
  REQUIRE(first->status == 200);
  std::string after_first = CanonicalDump(s.server.storage().store());
  int64_t log_after_first = LogCount(s.server.storage().store());
  auto second = s.http.Post(sync::kPushPath, s.auth, body, "application/json");
  REQUIRE(second);
  CHECK(second->status == 200);
  CHECK(second->body == first->body);
  CHECK(sync::ParsePushAck(json::parse(first->body)).accepted == 6);
  CHECK(CanonicalDump(s.server.storage().store()) == after_first);
  CHECK(LogCount(s.server.storage().store()) == log_after_first);
}

TEST_CASE("pull pages are bounded by count and by size") {
  Setup s;
  std::string big(sync::kPullPageBytes / 5, 'n');
  for (int i = 0; i < 8; ++i) {
    Customers(*s.tablet).Add(
        {{"name", "客户"}, {"phone", std::to_string(13900000000 + i)}, {"notes", big}});
  }
  SyncWith(*s.tablet, s.server.url(), s.token);
  sync::Principal office{"", "hq", "", sync::Role::kOffice};
  sync::PullPage page =
      s.server.storage().Pull(office, {"reader", 0, 1000, std::nullopt, ""}, [] { return false; });
  CHECK(page.more);
  CHECK(page.changes.size() < 48);  // stopped at about kPullPageBytes of values
  page = s.server.storage().Pull(office, {"reader", 0, 5, std::nullopt, ""}, [] { return false; });
  CHECK(page.changes.size() == 5);
  CHECK(page.next < page.head);
}

TEST_CASE("answers are gzipped when the client accepts it; GET pull matches POST pull") {
  Setup s;
  Customers(*s.tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}});
  SyncWith(*s.tablet, s.server.url(), s.token);
  s.http.set_decompress(false);
  httplib::Headers headers = s.auth;
  headers.emplace("Accept-Encoding", "gzip");
  auto raw = s.http.Get("/v1/sync/pull?protocol=1&device=reader&after=0&limit=100", headers);
  REQUIRE(raw);
  CHECK(raw->status == 200);
  CHECK(raw->get_header_value("Content-Encoding") == "gzip");
  s.http.set_decompress(true);
  auto get = s.http.Get("/v1/sync/pull?protocol=1&device=reader&after=0&limit=100", s.auth);
  auto post =
      s.http.Post(sync::kPullPath, s.auth,
                  R"({"protocol":1,"device":"reader","after":0,"limit":100})", "application/json");
  REQUIRE(get);
  REQUIRE(post);
  CHECK(get->body == post->body);
  CHECK(sync::ParsePullPage(json::parse(get->body)).changes.size() == 6);
}

TEST_CASE("pull pages and push requests written directly are byte for byte what ToJson gives") {
  sync::PullPage page;
  page.next = 42;
  page.head = 99;
  page.more = true;
  const std::vector<std::optional<std::string>> values = {
      json("王伟").dump(), json("say \"hi\"\\ \n\t\x01").dump(),
      std::nullopt,        json::parse(R"({"b":[1,2.5,-3],"a":{"x":null}})").dump(),
      json(-17).dump(),    json(true).dump(),
      json(1.25).dump(),   json("").dump()};
  int64_t seq = 0;
  for (const auto& value : values) {
    ++seq;
    page.changes.push_back({"设备-" + std::to_string(seq), seq, Hlc(1000 + seq), Hlc(seq),
                            seq % 2 ? "customer" : "odd \"kind\"", "rec\\" + std::to_string(seq),
                            "field\n" + std::to_string(seq), value});
  }
  CHECK(sync::PullPageBody(page) == sync::ToJson(page).dump());
  sync::PushRequest push{"设备 \"1\"", page.changes};
  CHECK(sync::PushRequestBody(push) == sync::ToJson(push).dump());
  page.changes.clear();
  page.more = false;
  CHECK(sync::PullPageBody(page) == sync::ToJson(page).dump());
}

}  // namespace
}  // namespace fieldcrm::testing
