// Bad requests get a 4xx with a JSON error body and change nothing on the server.
#include <doctest/doctest.h>
#include <httplib.h>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/sync/protocol.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

struct Fixture {
  TempDir dir;
  TestServer server{dir.File("server.db"), {.max_body_bytes = 64 * 1024}};
  std::string token = server.Token("wang", "A");
  std::unique_ptr<Store> tablet = NewTablet(dir.File("tablet.db"), "wang", "A");
  httplib::Client http{server.url()};

  Fixture() {
    Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}});
    SyncWith(*tablet, server.url(), token);
  }

  json PushBody() {
    sync::PushRequest push{tablet->device().id, {}};
    for (const auto& entry : tablet->ReadLog(0, 100, true)) push.changes.push_back(entry.change);
    return sync::ToJson(push);
  }

  // Posts body with the given token and checks the 4xx answer names `code`.
  void ExpectRefused(const std::string& path, const std::string& body, int status,
                     const std::string& code, const std::string& with_token) {
    std::string before = CanonicalDump(server.storage().store());
    int64_t log_before = LogCount(server.storage().store());
    httplib::Headers headers;
    if (!with_token.empty()) headers.emplace("Authorization", "Bearer " + with_token);
    auto res = http.Post(path, headers, body, "application/json");
    REQUIRE(res);
    CHECK(res->status == status);
    json answer = json::parse(res->body, nullptr, false);
    REQUIRE(answer.is_object());
    CHECK(answer["error"]["code"] == code);
    CHECK(answer["error"]["message"].get<std::string>().size() > 10);
    CHECK(CanonicalDump(server.storage().store()) == before);
    CHECK(LogCount(server.storage().store()) == log_before);
  }
};

TEST_CASE("malformed JSON, wrong types and missing members are 400") {
  Fixture f;
  f.ExpectRefused(sync::kPushPath, "{not json", 400, "bad_request", f.token);
  f.ExpectRefused(sync::kPushPath, "[1, 2]", 400, "bad_request", f.token);
  json body = f.PushBody();
  body["changes"][0]["seq"] = "one";
  f.ExpectRefused(sync::kPushPath, body.dump(), 400, "bad_request", f.token);
  body = f.PushBody();
  body.erase("device");
  f.ExpectRefused(sync::kPushPath, body.dump(), 400, "bad_request", f.token);
  body = f.PushBody();
  body["changes"][1]["device"] = "someone-else";
  f.ExpectRefused(sync::kPushPath, body.dump(), 400, "bad_request", f.token);
  f.ExpectRefused(sync::kPullPath, R"({"protocol":1,"device":"d","after":-1,"limit":5})", 400,
                  "bad_request", f.token);
  f.ExpectRefused(sync::kPullPath,
                  R"({"protocol":1,"device":"d","after":0,"limit":18446744073709551615})", 400,
                  "bad_request", f.token);
}

TEST_CASE("unknown protocol versions are refused, and old clients are told to upgrade") {
  Fixture f;
  json body = f.PushBody();
  body["protocol"] = 99;
  f.ExpectRefused(sync::kPushPath, body.dump(), 400, "bad_request", f.token);
  body["protocol"] = 0;
  f.ExpectRefused(sync::kPushPath, body.dump(), 426, "upgrade_required", f.token);
  body.erase("protocol");
  f.ExpectRefused(sync::kPushPath, body.dump(), 400, "bad_request", f.token);
  f.ExpectRefused("/v2/sync/push", f.PushBody().dump(), 404, "not_found", f.token);
}

TEST_CASE("missing, unknown and revoked tokens are 401") {
  Fixture f;
  f.ExpectRefused(sync::kPushPath, f.PushBody().dump(), 401, "unauthorized", "");
  f.ExpectRefused(sync::kPushPath, f.PushBody().dump(), 401, "unauthorized", "fcrm_guess");
  auto tokens = f.server.storage().ListTokens();
  REQUIRE(tokens.size() == 1);
  f.server.storage().RevokeToken(tokens[0].id, "2026-01-01T00:00:00.000Z", false);
  f.ExpectRefused(sync::kPullPath, R"({"protocol":1,"device":"d","after":0,"limit":5})", 401,
                  "unauthorized", f.token);
  CHECK_THROWS_WITH_AS(SyncWith(*f.tablet, f.server.url(), f.token), doctest::Contains("revoked"),
                       sync::ProtocolError);
}

TEST_CASE("a body over the configured size is 413, compressed or not") {
  Fixture f;
  json body = f.PushBody();
  body["changes"][0]["value"] = std::string(70 * 1024, 'x');
  f.ExpectRefused(sync::kPushPath, body.dump(), 413, "too_large", f.token);
  // A small gzip body that inflates past the limit is refused as well.
  f.http.set_compress(true);
  f.ExpectRefused(sync::kPushPath, body.dump(), 413, "too_large", f.token);
}

TEST_CASE("a change that differs from the one the server holds under its id is refused") {
  Fixture f;
  json body = f.PushBody();
  body["changes"][0]["value"] = "tampered";
  std::string before = CanonicalDump(f.server.storage().store());
  auto res = f.http.Post(sync::kPushPath, {{"Authorization", "Bearer " + f.token}}, body.dump(),
                         "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  sync::PushAck ack = sync::ParsePushAck(json::parse(res->body));
  REQUIRE(ack.refused.size() == 1);
  CHECK(ack.refused[0].reason.find("differs") != std::string::npos);
  CHECK(CanonicalDump(f.server.storage().store()) == before);
}

}  // namespace
}  // namespace fieldcrm::testing
