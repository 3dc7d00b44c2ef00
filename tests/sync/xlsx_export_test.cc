// Spreadsheets out: `fieldcrm report NAME --xlsx`, the dashboard's /v1/reports/NAME.xlsx on a
// real server (scoped like its JSON: a team leader gets their own team's rows only) and
// `fieldcrm export --format xlsx`, read back with the import's reader; an exported workbook
// imports into another store unchanged.
#include <doctest/doctest.h>
#include <httplib.h>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/xlsx_reader.h"
#include "tests/cli/tablet.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zip_parts.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr const char* kTeamA = "滨江一组";
constexpr const char* kTeamB = "城东二组";

std::string Slurp(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// The column of `label` in a sheet's header row.
size_t Column(const SheetRow& header, const std::string& label) {
  auto it = std::find(header.cells.begin(), header.cells.end(), label);
  REQUIRE_MESSAGE(it != header.cells.end(), label);
  return static_cast<size_t>(it - header.cells.begin());
}

struct TwoTeams {
  TimeZone shanghai{"Asia/Shanghai"};
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::string tablet_db = dir.File("wang.db");

  TwoTeams() {
    auto a = NewTablet(tablet_db, "王芳", kTeamA);
    Customers(*a).Add({{"name", "张伟"},
                       {"phone", "13800138000"},
                       {"budget", "3500000"},
                       {"birthday", "1990-01-01"},
                       {"created_at", "2026-06-12T01:30:00Z"},
                       {"notes", "南向三房，她说：\"再看看\""}});
    SyncWith(*a, server.url(), server.Token("王芳", kTeamA));
    auto b = NewTablet(dir.File("li.db"), "李强", kTeamB);
    Customers(*b).Add({{"name", "李娜"}, {"phone", "13900139000"}});
    SyncWith(*b, server.url(), server.Token("李强", kTeamB));
  }

  httplib::Result Get(const std::string& token, const std::string& path) {
    httplib::Client http(server.url());
    return http.Get(path, {{"Authorization", "Bearer " + token}});
  }
};

TEST_CASE("fieldcrm report --xlsx: a worksheet per table, numbers as numbers") {
  TwoTeams world;
  std::string path = world.dir.File("customers.xlsx");
  RunResult r = Cli(world.tablet_db, {"report", "customers", "--xlsx", path});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.empty());
  std::string workbook = *ZipMember(path, "xl/workbook.xml");
  CHECK(workbook.find("name=\"by_stage\"") != std::string::npos);
  CHECK(workbook.find("name=\"moves\"") != std::string::npos);
  std::vector<SheetRow> rows = ReadXlsxRows(Slurp(path));  // the first sheet: by_stage
  REQUIRE(rows.size() >= 2);
  size_t customers = Column(rows[0], "Customers");
  CHECK(ZipMember(path, "xl/worksheets/sheet1.xml")->find("t=\"n\"") == std::string::npos);
  bool counted = false;
  for (const SheetRow& row : rows) counted = counted || row.cells[customers] == "1";
  CHECK(counted);

  RunResult bad =
      Cli(world.tablet_db, {"report", "customers", "--xlsx", world.dir.File("no/x.xlsx")});
  CheckFails(bad, "cannot write '" + world.dir.File("no/x.xlsx") + "'");
}

TEST_CASE("the dashboard's .xlsx: the customers behind a figure, typed, scoped like the JSON") {
  TwoTeams world;
  std::string office = world.server.Token("总部", "", sync::Role::kOffice);
  auto res = world.Get(office, "/v1/reports/customer_list.xlsx?of=all&table=customers&page=2");
  REQUIRE(res);
  REQUIRE_MESSAGE(res->status == 200, res->body);
  CHECK(res->get_header_value("Content-Type") ==
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  CHECK(res->get_header_value("Content-Disposition") ==
        "attachment; filename=\"customer_list-customers.xlsx\"");
  std::vector<SheetRow> rows = ReadXlsxRows(res->body);
  REQUIRE(rows.size() == 3);  // every page: both customers whatever page was asked for
  const SheetRow& header = rows[0];
  const SheetRow& zhang = rows[1].cells[Column(header, "Name")] == "张伟" ? rows[1] : rows[2];
  CHECK(zhang.cells[Column(header, "Budget")] == "3500000");
  CHECK(zhang.cells[Column(header, "Registered")] == "2026-06-12 09:30:00");  // Asia/Shanghai

  // A team leader's workbook holds their team's customers only; another team's is refused.
  std::string leader = world.server.Token("陈组长", kTeamB, sync::Role::kLeader);
  res = world.Get(leader, "/v1/reports/customer_list.xlsx?of=all");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  rows = ReadXlsxRows(res->body);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].cells[Column(rows[0], "Name")] == "李娜");
  res = world.Get(leader, std::string("/v1/reports/customers.xlsx?team=") +
                              "%E6%BB%A8%E6%B1%9F%E4%B8%80%E7%BB%84");
  REQUIRE(res);
  CHECK(res->status == 403);
  CHECK(json::parse(res->body)["error"]["message"].get<std::string>().find("own team") !=
        std::string::npos);

  res = world.Get(office, "/v1/reports/customers.xlsx?table=nope");
  REQUIRE(res);
  CHECK(res->status == 404);
  CHECK(res->body.find("its tables are by_stage") != std::string::npos);
  res = world.Get(world.server.Token("王芳", kTeamA), "/v1/reports/customers.xlsx");
  REQUIRE(res);
  CHECK(res->status == 403);
}

TEST_CASE("fieldcrm export --format xlsx imports back into another store unchanged") {
  TwoTeams world;
  std::string path = world.dir.File("export.xlsx");
  RunResult r = Cli(world.tablet_db, {"export", "--format", "xlsx", "-o", path});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  RunResult piped = Cli(world.tablet_db, {"export", "--format", "xlsx"});  // stdout is a pipe
  REQUIRE_MESSAGE(piped.exit_code == 0, piped.err);
  CHECK(IsZipArchive(piped.out));

  Tablet other;
  RunResult imported = Cli(other.db, {"import", path});
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  json before = json::parse(Cli(world.tablet_db, {"customer", "list", "--json"}).out);
  json after = other.Json({"customer", "list"});
  REQUIRE(before.size() == 1);
  REQUIRE(after.size() == 1);
  for (const char* field : {"name", "phone", "budget", "birthday", "created_at", "notes"}) {
    CHECK_MESSAGE(after[0][field] == before[0][field], field);
  }
}

}  // namespace
}  // namespace fieldcrm::testing
