// fieldcrm report: the same figures from a tablet's own store and from head office's server (the
// dashboard's JSON API), as tables, CSV and JSON; bad filters are clear errors.
#include <doctest/doctest.h>

#include "core/activities.h"
#include "core/customers.h"
#include "core/fields.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("fieldcrm report: local and from the server agree") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string tablet_db = dir.File("wang.db");
  {
    auto tablet = NewTablet(tablet_db, "王芳", "滨江一组");
    Activities activities(*tablet);
    std::string zhang = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    std::string li = Customers(*tablet).Add({{"name", "李娜"}, {"phone", "13900001111"}}).id;
    activities.AddInteraction(zhang, {});
    activities.AddInteraction(li, {});
    activities.AddDeal(zhang, "5-801", 3000000, "signed");
    SyncWith(*tablet, server.url(), server.Token("王芳", "滨江一组"));
  }
  std::string office = server.Token("总部", "", sync::Role::kOffice);

  RunResult local = Cli(tablet_db, {"--json", "report", "funnel"});
  REQUIRE_MESSAGE(local.exit_code == 0, local.err);
  RunResult remote =
      Cli(tablet_db, {"--json", "report", "funnel", "--server", server.url(), "--token", office});
  REQUIRE_MESSAGE(remote.exit_code == 0, remote.err);
  json rows = json::parse(local.out)["tables"][0]["rows"];
  CHECK(rows == json::parse(remote.out)["tables"][0]["rows"]);
  REQUIRE(rows.size() == 2);  // 王芳 and everyone
  CHECK(rows[0]["agent"] == "王芳");
  CHECK(rows[0]["visited"] == 2);
  CHECK(rows[0]["signed"] == 1);
  CHECK(rows[0]["overall_pct"] == 50.0);

  RunResult csv = Cli(tablet_db, {"report", "funnel", "--csv", "--agent", "王芳"});
  REQUIRE_MESSAGE(csv.exit_code == 0, csv.err);
  CHECK(csv.out.find("\"王芳\",\"2\",\"1\",\"1\",\"1\"") != std::string::npos);

  RunResult table = Cli(tablet_db, {"report", "customers", "--team", "滨江一组"});
  REQUIRE_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("prospect") != std::string::npos);

  RunResult agent = Cli(tablet_db, {"report", "funnel", "--server", server.url(), "--token",
                                    server.Token("李强", "西湖二组")});
  CHECK(agent.exit_code == 1);
  CHECK(agent.err.find("HTTP 403") != std::string::npos);
  RunResult unknown = Cli(tablet_db, {"report", "sales"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no report 'sales'") != std::string::npos);
  RunResult bad =
      Cli(tablet_db, {"report", "funnel", "--from", "2026-12-01", "--to", "2026-11-01"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("'from' must be before 'to'") != std::string::npos);
}

TEST_CASE("fieldcrm report: a date as --to is the period's last day") {
  TempDir dir;
  std::string tablet_db = dir.File("wang.db");
  {
    auto tablet = NewTablet(tablet_db, "王芳", "滨江一组");
    std::string zhang = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    Activities(*tablet).AddInteraction(
        zhang, {.type = "visit", .at_ms = ParseTime("2026-11-20T10:00:00Z", "at")});
  }
  auto visited = [&](const std::string& from, const std::string& to) {
    RunResult run = Cli(tablet_db, {"--json", "report", "funnel", "--from", from, "--to", to});
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    json rows = json::parse(run.out)["tables"][0]["rows"];
    return rows.empty() ? 0 : rows.back()["visited"].get<int>();
  };
  CHECK(visited("2026-11-20", "2026-11-20") == 1);  // one whole day
  CHECK(visited("2026-11-01", "2026-11-19") == 0);
  CHECK(visited("2026-11-01", "2026-11-20T10:00:00Z") == 0);  // a time is where the period ends
  CHECK(visited("2026-11-01", "2026-11-20T10:00:01Z") == 1);
}

}  // namespace
}  // namespace fieldcrm::testing
