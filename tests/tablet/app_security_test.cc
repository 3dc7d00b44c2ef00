// The app's security model (fieldcrm/tablet/request_guard.h), each rule against a real server.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "tests/tablet/app_fixture.h"

using namespace fieldcrm;
using namespace fieldcrm::testing;

TEST_CASE("the app listens on loopback only") {
  for (const char* host : {"0.0.0.0", "192.168.1.20", "::", "example.com"}) {
    tablet::AppOptions options;
    options.host = host;
    CHECK_THROWS_AS(tablet::AppServer{options}, InvalidInput);
  }
}

TEST_CASE_FIXTURE(AppFixture, "nothing answers without the launch secret's cookie") {
  for (const char* path : {"/", "/register", "/assets/app.js", "/api/status", "/api/find?q=1234"}) {
    auto res = Client().Get(path, {{"Host", Host()}});
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 401, path);
    CHECK(res->body.find("<html") == std::string::npos);
  }
  auto wrong = Client().Get("/?key=00000000000000000000000000000000");
  CHECK(wrong->status == 401);
  auto wrong_cookie = Client().Get("/api/status", {{"Cookie", "fieldcrm_app=" + secret + "0"}});
  CHECK(wrong_cookie->status == 401);
}

TEST_CASE_FIXTURE(AppFixture,
                  "the secret in the printed address becomes an HttpOnly SameSite cookie") {
  CHECK(app->url() == "http://127.0.0.1:" + std::to_string(app->port()) + "/?key=" + secret);
  auto login = Client().Get("/?key=" + secret);
  REQUIRE(login);
  CHECK(login->status == 303);
  CHECK(login->get_header_value("Location") == "/");  // the secret leaves the address bar
  std::string cookie = login->get_header_value("Set-Cookie");
  CHECK(cookie.find("fieldcrm_app=" + secret) == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  auto page = Client().Get("/", {{"Cookie", "fieldcrm_app=" + secret}});
  CHECK(page->status == 200);
  CHECK(page->body.find("接待登记") == std::string::npos);  // labels come from the script
  CHECK(page->body.find("/assets/app.js") != std::string::npos);
}

TEST_CASE_FIXTURE(AppFixture, "a Host other than the app's own is refused (DNS rebinding)") {
  for (std::string host : {std::string("evil.example:") + std::to_string(app->port()),
                           std::string("127.0.0.1:1"), std::string("127.0.0.1"),
                           std::string("localhost.evil.example:") + std::to_string(app->port())}) {
    httplib::Headers headers = Browser();
    headers.emplace("Host", host);
    auto res = Client().Get("/api/status", headers);
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 421, host);
  }
  httplib::Headers local = Browser();
  local.emplace("Host", "localhost:" + std::to_string(app->port()));
  CHECK(Client().Get("/api/status", local)->status == 200);
}

TEST_CASE_FIXTURE(AppFixture, "no state changes from another site, nor from a form") {
  nlohmann::json visitor = {{"name", "张伟"}, {"phone", "13800138000"}};
  httplib::Headers foreign = {{"Cookie", "fieldcrm_app=" + secret},
                              {"Origin", "http://evil.example"}};
  CHECK(Client().Post("/api/customers", foreign, visitor.dump(), "application/json")->status ==
        403);
  httplib::Headers cross = {{"Cookie", "fieldcrm_app=" + secret}, {"Sec-Fetch-Site", "cross-site"}};
  CHECK(Client().Post("/api/customers", cross, visitor.dump(), "application/json")->status == 403);
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    CHECK_MESSAGE(Client().Post("/api/customers", Browser(), visitor.dump(), type)->status == 415,
                  type);
  }
  CHECK(Client().Post("/api/customers", Browser(), "name=x", "application/json")->status == 400);
  auto none = OpenCustomerStore(db);
  CHECK(Customers(*none).List({}).empty());
  CHECK(Post("/api/customers", visitor)->status == 201);
}

TEST_CASE_FIXTURE(AppFixture, "every answer forbids framing, sniffing and foreign content") {
  for (const httplib::Result& res :
       {Get("/"), Get("/assets/app.js"), Get("/api/status"), Client().Get("/api/status")}) {
    REQUIRE(res);
    std::string csp = res->get_header_value("Content-Security-Policy");
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("script-src 'self'") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
  }
}

TEST_CASE("a write confirmed by the app survives kill -9 right after the answer") {
  TempDir dir;
  std::string db = dir.File("tablet.db");
  REQUIRE(Cli(db, {"init", "--device", "booth-9", "--agent", "王芳"}).exit_code == 0);
  AppProcess app(dir, db);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    nlohmann::json visitor = {{"name", "访客" + std::to_string(i)},
                              {"phone", "1380013800" + std::to_string(i)}};
    auto res = app.Post("/api/customers", visitor);
    REQUIRE(res);
    REQUIRE(res->status == 201);
    ids.push_back(Json(res)["id"]);
  }
  int status = app.Signal(SIGKILL);
  CHECK(WIFSIGNALED(status));
  auto store = OpenCustomerStore(db);
  for (const std::string& id : ids) CHECK(Customers(*store).Get(id)["agent"] == "王芳");
}
