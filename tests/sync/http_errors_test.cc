// Errors on the wire: every endpoint, sync or dashboard, answers a failure through one mapping
// (server/http_errors.h). A caller's mistake is a 4xx that says what to fix; a failure of the
// server's own is a 500 that gives only a request id, while the text of the error goes to the
// server's log under that id. No answer carries httplib's EXCEPTION_WHAT header.
#include "fieldcrm/server/http_errors.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/sqlite.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("errors map to HTTP statuses by their stable code") {
  CHECK(sync::HttpStatusOf(InvalidInput("bad phone")) == 400);
  CHECK(sync::HttpStatusOf(NotFound("no such customer")) == 404);
  CHECK(sync::HttpStatusOf(PluginError("no tiering plugin")) == 503);
  CHECK(sync::HttpStatusOf(StorageError("disk full")) == 500);
  CHECK(sync::HttpStatusOf(sync::ProtocolError(426, "upgrade_required", "old client")) == 426);
  CHECK(sync::HttpStatusOf(sync::ProtocolError(429, "rate_limited", "wait")) == 429);
  CHECK(sync::HttpStatusOf(std::runtime_error("a bug")) == 500);
  CHECK(InvalidInput("x").code() == "bad_request");
  CHECK(StorageError("x").code() == "storage");
}

struct Fixture {
  TempDir dir;
  std::ostringstream error_log;
  TestServer server{dir.File("server.db"), {.error_log = &error_log}};
  std::string office = server.Token("王总", "", sync::Role::kOffice);
  httplib::Client http{server.url()};

  httplib::Result Get(const std::string& path) {
    return http.Get(path, {{"Authorization", "Bearer " + office}});
  }

  // Makes the server's own storage fail: the table is gone under its feet.
  void DropTable(const std::string& table) {
    Database db(dir.File("server.db"), false);
    db.Exec("DROP TABLE " + table);
  }

  // A 500 that names only a request id, whose log line holds the internal text.
  void ExpectInternal(const httplib::Result& res, const std::string& internal_text) {
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK_FALSE(res->has_header("EXCEPTION_WHAT"));
    CHECK(res->body.find(internal_text) == std::string::npos);
    json body = json::parse(res->body);
    CHECK(body["error"]["code"] == "internal");
    std::string message = body["error"]["message"];
    REQUIRE(message.starts_with("internal error (request id "));
    std::string id = message.substr(27, message.size() - 28);
    CHECK(id.size() == 16);
    std::string log = error_log.str();
    size_t line = log.find("request " + id + " ");
    REQUIRE(line != std::string::npos);
    CHECK(log.find(internal_text, line) != std::string::npos);
  }
};

TEST_CASE_FIXTURE(Fixture, "a report filter that is not UTF-8 is a 400, not a server error") {
  for (const char* query : {"team=%FF%FE", "agent=%C3", "%FF=1"}) {
    auto res = Get(std::string("/v1/reports/funnel?") + query);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK_FALSE(res->has_header("EXCEPTION_WHAT"));
    json body = json::parse(res->body);
    CHECK(body["error"]["code"] == "bad_request");
    CHECK(body["error"]["message"].get<std::string>().find("UTF-8") != std::string::npos);
  }
  CHECK(error_log.str().empty());
}

TEST_CASE_FIXTURE(Fixture,
                  "a storage failure in a report is a 500 that keeps its text in the log") {
  CHECK(Get("/v1/reports/funnel")->status == 200);
  DropTable("customer_facts");
  DropTable("history_facts");
  ExpectInternal(Get("/v1/reports/funnel"), "no such table");
}

TEST_CASE_FIXTURE(Fixture, "a storage failure outside any handler's own catch is a 500 too") {
  DropTable("sync_tokens");
  // The dashboard's pages look the token up before any report runs: the exception leaves the
  // route and reaches the server's exception handler.
  ExpectInternal(Get("/"), "no such table");
  // The sync endpoints authenticate inside their own error handling.
  ExpectInternal(
      http.Post(sync::kPushPath, {{"Authorization", "Bearer " + office}}, "{}", "application/json"),
      "no such table");
}

}  // namespace
}  // namespace fieldcrm::testing
