// The day's reception logs on head office's dashboard: a real fieldcrm-server that loaded the
// built rotation plugin from disk composes each sales office's evening-meeting log from the
// walk-ins two teams' reception tablets synced, and shows them by team, agent and source, every
// walk-in by time with the customer it was registered as. A team leader sees their own office's
// log only; bad filters are clear errors; without a reception plugin the tables say why.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "fieldcrm/sync/transport.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr const char* kTeamA = "滨江一组";
constexpr const char* kTeamB = "城东二组";
constexpr const char* kDay = "from=2026-06-15&to=2026-06-15";

json Ok(const std::string& db, const std::string& time, std::vector<std::string> args) {
  args.insert(args.begin(), {"--json", "--as-of=2026-06-15T" + time + "+08:00"});
  RunResult r = Cli(db, args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::string Token(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> create = {"token", "create"};
  create.insert(create.end(), args.begin(), args.end());
  RunResult r = Server(db, create);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r.out.substr(0, r.out.find('\n'));
}

const json& Table(const json& report, const std::string& name) {
  for (const json& table : report["tables"]) {
    if (table["name"] == name) return table;
  }
  FAIL("no table " << name << " in " << report.dump());
  throw std::logic_error("unreachable");
}

bool HasTable(const json& report, const std::string& name) {
  for (const json& table : report["tables"]) {
    if (table["name"] == name) return true;
  }
  return false;
}

// A column of a table's rows, in order.
json Column(const json& report, const std::string& table, const std::string& key) {
  json values = json::array();
  for (const json& row : Table(report, table)["rows"]) values.push_back(row[key]);
  return values;
}

TEST_CASE("head office reads each sales office's reception log; a leader their own") {
  TempDir dir;
  std::string db = dir.File("server.db");
  // The agents on duty hold tokens of their teams, so their leader's reception tablet may credit
  // walk-ins to them.
  Token(db, {"--agent", "王芳", "--team", kTeamA});
  Token(db, {"--agent", "李强", "--team", kTeamB});
  std::string leader_a = Token(db, {"--agent", "前台", "--team", kTeamA, "--role", "leader"});
  std::string leader_b = Token(db, {"--agent", "前台", "--team", kTeamB, "--role", "leader"});
  std::string office = Token(db, {"--agent", "总部", "--role", "office"});
  ServerProcess server(db, dir.File("server.log"),
                       {"--insecure-http", "--plugins", FIELDCRM_BINARY_DIR "/plugins"});

  std::string a = dir.File("front-a.db"), b = dir.File("front-b.db");
  for (const auto& [tablet, team, token] :
       {std::tuple{a, kTeamA, leader_a}, std::tuple{b, kTeamB, leader_b}}) {
    REQUIRE(Cli(tablet, {"init", "--device", "front-" + std::string(team == kTeamA ? "a" : "b"),
                         "--agent", "前台", "--team", team})
                .exit_code == 0);
    REQUIRE(Cli(tablet, {"sync", "--server", server.url(), "--token", token}).exit_code == 0);
  }
  Ok(a, "09:00", {"reception", "duty", "王芳"});
  Ok(b, "09:00", {"reception", "duty", "李强"});
  std::string zhang = Ok(a, "09:10",
                         {"reception", "walkin", "--phone", "13800000001", "--name", "张一",
                          "--source", "来访"})["customer"];
  REQUIRE_FALSE(zhang.empty());
  Ok(a, "10:00", {"reception", "done", "王芳"});
  // 张一 comes back in the afternoon: returning, to the agent who registered him.
  Ok(a, "15:00", {"reception", "walkin", "--phone", "13800000001"});
  Ok(b, "09:20",
     {"reception", "walkin", "--phone", "13900000002", "--name", "赵二", "--source", "老带新"});
  Ok(b, "09:30", {"reception", "walkin", "--phone", "13900000003"});  // gave no name
  for (const std::string& tablet : {a, b}) REQUIRE(Cli(tablet, {"sync"}).exit_code == 0);

  auto api = sync::MakeHttpTransport(server.url(), office);
  auto get = [](sync::Transport& transport, const std::string& path) {
    sync::HttpReply reply = transport.Get(path);
    REQUIRE_MESSAGE(reply.status == 200, path << ": " << reply.body.dump());
    return reply.body;
  };
  json all = get(*api, std::string("/v1/reports/reception?") + kDay);
  CHECK(all["report"] == "reception");
  CHECK(Column(all, "by_team", "team") == json({kTeamB, kTeamA}));
  CHECK(Column(all, "by_team", "walk_ins") == json({2, 2}));
  CHECK(Column(all, "by_team", "new") == json({2, 1}));
  CHECK(Column(all, "by_team", "returning") == json({0, 1}));
  CHECK(Column(all, "by_agent", "agent") == json({"李强", "王芳"}));
  CHECK(Column(all, "by_agent", "walk_ins") == json({2, 2}));
  // Every walk-in by time, across both offices, with who received them and why.
  CHECK(Column(all, "walk_ins", "name") == json({"张一", "赵二", "", "张一"}));
  CHECK(Column(all, "walk_ins", "phone") ==
        json({"+8613800000001", "+8613900000002", "+8613900000003", "+8613800000001"}));
  CHECK(Column(all, "walk_ins", "visit") ==
        json({"新客 new", "新客 new", "新客 new", "回访 returning"}));
  CHECK(Column(all, "walk_ins", "reason") == json({"turn", "turn", "turn", "returning"}));
  // The registered walk-ins open the customer they became; the nameless one opens nothing.
  json ids = Column(all, "walk_ins", "id");
  CHECK(ids[0] == zhang);
  CHECK(ids[3] == zhang);
  CHECK_FALSE(ids[1].get<std::string>().empty());
  CHECK(ids[2] == "");
  CHECK(Column(all, "by_source", "source") == json({"(未知 unknown)", "referral", "walk-in"}));
  CHECK(Column(all, "by_source", "walk_ins") == json({1, 1, 2}));
  CHECK(Column(all, "by_source", "share_pct") == json({25.0, 25.0, 50.0}));
  CHECK(Column(all, "duty", "agents") == json({json{"李强"}, json{"王芳"}}));
  for (const json& table : all["tables"]) CHECK(table["period"] == "period");

  // One agent's walk-ins; a period without any; the whole company agrees with the team pages.
  json wang = get(*api, std::string("/v1/reports/reception?agent=%E7%8E%8B%E8%8A%B3&") + kDay);
  CHECK(Column(wang, "walk_ins", "agent") == json({"王芳", "王芳"}));
  json before = get(*api, "/v1/reports/reception?from=2026-06-14&to=2026-06-14");
  CHECK(Table(before, "walk_ins")["rows"].empty());
  CHECK(Table(before, "by_team")["rows"].empty());

  // A team leader: their office's log only (no table by team), and another team's is refused.
  auto leader = sync::MakeHttpTransport(server.url(), leader_b);
  json own = get(*leader, std::string("/v1/reports/reception?") + kDay);
  CHECK_FALSE(HasTable(own, "by_team"));
  CHECK(Column(own, "walk_ins", "team") == json({kTeamB, kTeamB}));
  CHECK(own["tables"].dump().find("张一") == std::string::npos);
  CHECK(leader->Get("/v1/reports/reception?team=%E6%BB%A8%E6%B1%9F%E4%B8%80%E7%BB%84").status ==
        403);

  // Clear errors: a project (walk-ins are an office's), a team that never synced, a bad date.
  sync::HttpReply project = api->Get("/v1/reports/reception?project=%E6%BB%A8%E6%B1%9F");
  CHECK(project.status == 400);
  CHECK(project.body.dump().find("not a project") != std::string::npos);
  CHECK(api->Get("/v1/reports/reception?team=nowhere").status == 404);
  CHECK(api->Get("/v1/reports/reception?from=someday").status == 400);
  CHECK(get(*api, "/v1/reports")["reports"].dump().find("\"reception\"") != std::string::npos);
}

TEST_CASE("a server without a reception plugin says so on the reception page") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  auto api = sync::MakeHttpTransport(server.url(), server.Token("总部", "", sync::Role::kOffice));
  sync::HttpReply reply = api->Get("/v1/reports/reception");
  REQUIRE(reply.status == 200);
  for (const json& table : reply.body["tables"]) {
    CHECK(table["rows"].empty());
    CHECK(table["note"].get<std::string>().find("without plugins") != std::string::npos);
  }
}

}  // namespace
}  // namespace fieldcrm::testing
