// The dashboard's people on a real fieldcrm-server process: team leaders and head office log in
// with a name and a password head office's admin set (`fieldcrm-server users add`), kept only as
// a scrypt hash; failed logins are rate-limited; a team leader reads their own team's reports,
// pickers, devices and customers and nothing of another team's, whatever the request asks for
// (like the sync isolation tests); removing a person ends their session.
#include <doctest/doctest.h>
#include <httplib.h>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr const char* kTeamA = "滨江一组";
constexpr const char* kTeamB = "城东二组";
constexpr const char* kLeaderPassword = "river-side-2026";

RunResult AddUser(const std::string& db, const std::vector<std::string>& args,
                  const std::string& password) {
  std::vector<std::string> argv = {FIELDCRM_SERVER, "--db", ServerDb(db), "users", "add"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, password + "\n");
}

struct Dashboard {
  TempDir dir;
  std::string db = dir.File("server.db");
  std::string token_a, token_b, office_token, customer_a, customer_b;
  std::unique_ptr<ServerProcess> server;

  Dashboard() {
    token_a = Line(Server(db, {"token", "create", "--agent", "王芳", "--team", kTeamA}).out);
    token_b = Line(Server(db, {"token", "create", "--agent", "李强", "--team", kTeamB}).out);
    office_token = Line(Server(db, {"token", "create", "--agent", "总部", "--role", "office"}).out);
    RunResult leader =
        AddUser(db, {"陈组长", "--team", kTeamA, "--role", "leader"}, kLeaderPassword);
    REQUIRE_MESSAGE(leader.exit_code == 0, leader.err);
    RunResult office = AddUser(db, {"总部刘", "--role", "office"}, "head-office-password");
    REQUIRE_MESSAGE(office.exit_code == 0, office.err);
    server = std::make_unique<ServerProcess>(
        db, dir.File("server.log"),
        std::vector<std::string>{"--insecure-http", "--auth-failure-limit", "5"});
    auto a = NewTablet(dir.File("a.db"), "王芳", kTeamA);
    customer_a = Customers(*a).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    Activities(*a).AddInteraction(customer_a, {.type = "visit"});
    SyncWith(*a, server->url(), token_a);
    auto b = NewTablet(dir.File("b.db"), "李强", kTeamB);
    customer_b = Customers(*b).Add({{"name", "李娜"}, {"phone", "13900139000"}}).id;
    Activities(*b).AddInteraction(customer_b, {.type = "visit"});
    SyncWith(*b, server->url(), token_b);
  }

  // Logs in through the form; the session cookie ("fieldcrm_session=...") or the status.
  std::pair<int, std::string> LogIn(const httplib::Params& form) {
    httplib::Client http(server->url());
    auto res = http.Post("/login", {{"Origin", server->url()}}, form);
    REQUIRE(res);
    std::string cookie = res->get_header_value("Set-Cookie");
    return {res->status, cookie.substr(0, cookie.find(';'))};
  }

  // GET path with the cookie: status and body (JSON).
  std::pair<int, json> Get(const std::string& cookie, const std::string& path) {
    httplib::Client http(server->url());
    auto res = http.Get(path, {{"Cookie", cookie}});
    REQUIRE(res);
    return {res->status, json::parse(res->body, nullptr, false)};
  }
};

TEST_CASE("a team leader logs in with a password and sees their own team only") {
  Dashboard d;
  auto [status, leader] = d.LogIn({{"name", "陈组长"}, {"password", kLeaderPassword}});
  REQUIRE(status == 303);
  REQUIRE(leader.starts_with("fieldcrm_session="));

  // Who they are, for the pages; every report of their team alone, asked with or without it.
  auto [listed, names] = d.Get(leader, "/v1/reports");
  REQUIRE(listed == 200);
  CHECK(names["who"] == json{{"name", "陈组长"}, {"role", "leader"}, {"team", kTeamA}});
  const std::string team_a = httplib::detail::encode_query_param(kTeamA);
  const std::string team_b = httplib::detail::encode_query_param(kTeamB);
  for (const char* report : {"customers", "funnel", "followups", "churn", "referrals", "surveys",
                             "devices", "choices"}) {
    CAPTURE(report);
    for (const std::string& query : {std::string(), "?team=" + team_a}) {
      auto [code, body] = d.Get(leader, std::string("/v1/reports/") + report + query);
      REQUIRE(code == 200);
      std::string text = body.dump();
      CHECK(text.find(kTeamA) != std::string::npos);
      CHECK(text.find(kTeamB) == std::string::npos);
      CHECK(text.find("李娜") == std::string::npos);
      CHECK(text.find("李强") == std::string::npos);
    }
    // Another team's figures are refused, not quietly replaced by their own.
    auto [refused, error] = d.Get(leader, std::string("/v1/reports/") + report + "?team=" + team_b);
    CHECK(refused == 403);
    CHECK(error["error"]["message"].get<std::string>().find("own team 滨江一组 only") !=
          std::string::npos);
  }
  // A name their team does not have is a 404 that names nobody of another team.
  auto [unknown, unnamed] =
      d.Get(leader, "/v1/reports/funnel?agent=" + httplib::detail::encode_query_param("李强"));
  CHECK(unknown == 404);
  CHECK(unnamed.dump().find(kTeamB) == std::string::npos);
  CHECK(unnamed.dump().find("李强") == std::string::npos);
  auto [funnel_code, funnel] = d.Get(leader, "/v1/reports/funnel");
  CHECK(funnel["tables"][0]["rows"].back()["visited"] == 1);  // 张伟 alone, not 李娜
  CHECK(d.Get(leader, "/v1/reports/customer?id=" + d.customer_a).first == 200);
  auto [other, why] = d.Get(leader, "/v1/reports/customer?id=" + d.customer_b);
  CHECK(other == 403);
  CHECK(why.dump().find("李娜") == std::string::npos);
  // Their pages open; head office's person sees both teams.
  httplib::Client http(d.server->url());
  CHECK(http.Get("/funnel", {{"Cookie", leader}})->status == 200);
  auto [office_status, office] =
      d.LogIn({{"name", "总部刘"}, {"password", "head-office-password"}});
  REQUIRE(office_status == 303);
  std::string all = d.Get(office, "/v1/reports/customers").second.dump();
  CHECK(all.find(kTeamA) != std::string::npos);
  CHECK(all.find(kTeamB) != std::string::npos);
  CHECK(d.Get(office, "/v1/reports/customer?id=" + d.customer_b).first == 200);

  // A leader's token (for scripts) is held to the same team as the login.
  std::string leader_token = Line(
      Server(d.db, {"token", "create", "--agent", "陈组长", "--team", kTeamA, "--role", "leader"})
          .out);
  auto by_token = http.Get("/v1/reports/customers?team=" + team_b,
                           {{"Authorization", "Bearer " + leader_token}});
  CHECK(by_token->status == 403);

  // Removed, their session ends at once.
  RunResult removed = Server(d.db, {"users", "remove", "陈组长"});
  REQUIRE_MESSAGE(removed.exit_code == 0, removed.err);
  CHECK(d.Get(leader, "/v1/reports/customers").first == 401);
}

TEST_CASE("dashboard logins: hashed passwords, clear refusals, rate-limited guessing") {
  Dashboard d;
  // The store keeps no password, only its salted hash.
  std::string file = ReadFile(d.db);
  CHECK(file.find(kLeaderPassword) == std::string::npos);
  RunResult listed = Server(d.db, {"--json", "users", "list"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  CHECK(listed.out.find("scrypt") == std::string::npos);
  CHECK(json::parse(listed.out).size() == 2);

  // What head office's admin cannot set up.
  RunResult short_password = AddUser(d.db, {"王五", "--team", kTeamA}, "short");
  CHECK(short_password.exit_code == 1);
  CHECK(short_password.err.find("at least 10 characters") != std::string::npos);
  RunResult agent = AddUser(d.db, {"王五", "--team", kTeamA, "--role", "agent"}, kLeaderPassword);
  CHECK(agent.exit_code == 1);
  CHECK(agent.err.find("agents use their tablets' tokens") != std::string::npos);
  RunResult no_team = AddUser(d.db, {"王五"}, kLeaderPassword);
  CHECK(no_team.exit_code == 1);
  CHECK(no_team.err.find("needs their team") != std::string::npos);

  // An agent's token still cannot log in; the office token path stays for scripts.
  CHECK(d.LogIn({{"token", d.token_a}}).first == 403);
  CHECK(d.LogIn({{"token", d.office_token}}).first == 303);

  // Wrong passwords and unknown names get the same answer, then 429 once over the limit, even
  // for the right password.
  CHECK(d.LogIn({{"name", "陈组长"}, {"password", "wrong-password"}}).first == 401);
  CHECK(d.LogIn({{"name", "nobody"}, {"password", kLeaderPassword}}).first == 401);
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    limited +=
        d.LogIn({{"name", "陈组长"}, {"password", "guess-" + std::to_string(i)}}).first == 429;
  }
  CHECK(limited > 0);
  CHECK(d.LogIn({{"name", "陈组长"}, {"password", kLeaderPassword}}).first == 429);
}

}  // namespace
}  // namespace fieldcrm::testing
