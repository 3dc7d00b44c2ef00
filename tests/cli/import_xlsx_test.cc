// import reads .xlsx workbooks as it reads CSV: the first worksheet of a workbook as an office
// saves it (tests/cli/data/office_template.xlsx, written by Debian's libxlsxwriter as Excel lays
// workbooks out: shared strings, a phone column of numbers, a CJK date format, a time, a blank
// row), the same header matching, duplicates and row rules, row numbers as Excel shows them; a
// damaged or foreign file is one line on stderr, exit 1, nothing written.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "fieldcrm/model/xlsx_writer.h"
#include "tests/cli/tablet.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("an .xlsx from the office: numeric phones, Excel dates and times, a blank row") {
  TimeZone shanghai("Asia/Shanghai");
  Tablet t;
  RunResult r = Cli(t.db, {"import", SampleFile("office_template.xlsx")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  CHECK(r.out.find("客户姓名（必填） → name, 手机号码* → phone") != std::string::npos);
  CHECK(r.out.find("登记时间 → created_at") != std::string::npos);
  CHECK(r.out.find("ignored columns: 序号, 微信号") != std::string::npos);
  // Row 5 is blank: the duplicate is on row 6, as Excel numbers it.
  CHECK(r.out.find("rows 2, 6: same phone +8613800138000, merged into one customer") !=
        std::string::npos);
  CHECK(r.out.find("imported 3 customers, 0 already on the store, from 4 rows") !=
        std::string::npos);

  auto customers = ByName(t.Json({"customer", "list"}));
  REQUIRE(customers.size() == 3);
  json zhang = customers["张伟"];
  CHECK(zhang["phone"] == "+8613800138000");             // a number cell, not 1.38E+10
  CHECK(zhang["budget"] == 3500000);                     // 350 in a 万元 column
  CHECK(zhang["birthday"] == "1990-01-01");              // yyyy"年"m"月"d"日"
  CHECK(zhang["created_at"] == "2026-06-12T01:30:00Z");  // 09:30 in Shanghai
  CHECK(zhang["source"] == "walk-in");
  CHECK(zhang["notes"] == "南向三房");
  CHECK(customers["李娜"]["birthday"] == "1988-05-06");  // Excel's built-in date format
  CHECK(customers["李娜"]["stage"] == "prospect");
  CHECK(customers["陈静"]["birthday"] == "1990-01-01");  // a serial in a General cell
  CHECK(customers["陈静"]["budget"] == 120000000);       // 1.2亿 as text keeps its unit
  CHECK(customers["陈静"]["notes"] == "她说：\"再看看\"");
}

TEST_CASE("bad rows of an .xlsx are named by their Excel row; all or nothing, --skip-bad-rows") {
  Tablet t;
  std::string path = t.dir.File("list.xlsx");
  {
    XlsxWriter writer(path);
    writer.AddSheet("名单", {{"姓名"}, {"电话"}, {"预算"}});
    writer.AddRow({"张伟", 13800138000, 3000000});
    writer.AddRow({"坏号码", 123, nullptr});
    writer.AddRow({"李娜", "13900001111", "nan"});
    writer.Close();
  }
  std::string before = t.Export();
  RunResult all = Cli(t.db, {"import", path});
  CheckFails(all,
             "2 of 3 rows cannot be imported, so nothing was imported: row 3: invalid phone "
             "number '123'");
  CHECK(all.err.find("; row 4: invalid budget 'nan'") != std::string::npos);
  CHECK(t.Export() == before);

  std::string rejects = t.dir.File("rejects.csv");
  RunResult skip = Cli(t.db, {"import", "--skip-bad-rows", rejects, path});
  REQUIRE_MESSAGE(skip.exit_code == 0, skip.err);
  CHECK(skip.out.find("imported 1 customers") != std::string::npos);
  CHECK(t.Json({"customer", "find", "--phone", "13800138000"})["budget"] == 3000000);
}

TEST_CASE("a damaged or foreign .xlsx: one line naming the file, exit 1, nothing written") {
  Tablet t;
  std::string before = t.Export();
  std::string sample;
  {
    std::ifstream file(SampleFile("office_template.xlsx"), std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    sample = bytes.str();
  }
  std::string cut = t.dir.File("cut.xlsx");
  std::ofstream(cut, std::ios::binary) << sample.substr(0, sample.size() / 2);
  CheckFails(Cli(t.db, {"import", cut}), "'" + cut + "': not a readable zip archive");

  std::string damaged = t.dir.File("damaged.xlsx");  // a bit flipped inside the compressed data
  std::string flipped = sample;
  flipped[sample.size() / 3] = static_cast<char>(flipped[sample.size() / 3] ^ 0x40);
  std::ofstream(damaged, std::ios::binary) << flipped;
  RunResult r = Cli(t.db, {"import", damaged});
  CheckFails(r, "'" + damaged + "': ");

  std::string xls = t.dir.File("old.xls");
  std::ofstream(xls, std::ios::binary)
      << std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) << std::string(1024, '\0');
  CheckFails(Cli(t.db, {"import", xls}), "Excel 97-2003 workbook (.xls): save it as .xlsx or CSV");

  std::string renamed = t.dir.File("list.xlsx");
  std::ofstream(renamed) << "姓名,电话\n张伟,13800138000\n";
  CheckFails(Cli(t.db, {"import", renamed}), "'" + renamed + "': not a readable zip archive");
  CHECK(t.Export() == before);
}

}  // namespace
}  // namespace fieldcrm::testing
