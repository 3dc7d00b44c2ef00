// .xlsx out and in: what XlsxWriter writes reads back with its types (numbers, amounts, dates,
// local times, Chinese text), and the reader understands workbooks laid out as Excel writes them
// (shared strings with phonetic guides, inline strings, formulas, date styles, gaps), refusing
// damaged ones with a clear error. Real files throughout.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/sheet_rows.h"
#include "fieldcrm/model/xlsx_reader.h"
#include "fieldcrm/model/xlsx_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zip_parts.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

std::string Slurp(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// The process's time zone for one test (local times are written and read in it).
class ProcessTimeZone {
 public:
  explicit ProcessTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ProcessTimeZone() {
    old_ ? setenv("TZ", old_->c_str(), 1) : unsetenv("TZ");
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

std::vector<SheetRow> ReadParts(const TempDir& dir,
                                const std::map<std::string, std::string>& parts) {
  std::string path = dir.File("made.xlsx");
  WriteZip(path, parts);
  return ReadXlsxRows(Slurp(path));
}

TEST_CASE("a workbook XlsxWriter writes reads back with its types, header frozen") {
  ProcessTimeZone shanghai("Asia/Shanghai");
  TempDir dir;
  std::string path = dir.File("customers.xlsx");
  XlsxWriter writer(path);
  writer.AddSheet("客户名单", {{"姓名"},
                               {"手机"},
                               {"预算", XlsxKind::kAmount},
                               {"生日", XlsxKind::kDate},
                               {"登记时间", XlsxKind::kTime},
                               {"标签"},
                               {"备注"},
                               {"已成交"}});
  writer.AddRow({"张伟", 13800138000, 3500000, "1990-01-01", "2026-06-12T01:30:00Z",
                 json::array({"学区", "地铁"}), nullptr, true});
  writer.AddRow({"李娜", "+8613900001111", "not an amount", "unknown", "not a time", "",
                 "她说：\"再看看\"", false});
  writer.AddSheet("a/b:c[d]*?\\ and a name longer than Excel's thirty-one", {{"n"}});
  writer.AddRow({1.5});
  writer.Close();

  std::string bytes = Slurp(path);
  CHECK(IsZipArchive(bytes));
  std::vector<SheetRow> rows = ReadXlsxRows(bytes);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].row == 1);
  CHECK(rows[0].cells == std::vector<std::string>{"姓名", "手机", "预算", "生日", "登记时间",
                                                  "标签", "备注", "已成交"});
  CHECK(rows[1].row == 2);
  CHECK(rows[1].cells == std::vector<std::string>{"张伟", "13800138000", "3500000", "1990-01-01",
                                                  "2026-06-12 09:30:00", "学区,地铁", "", "TRUE"});
  // What does not fit a column's kind is written as the text it is.
  CHECK(rows[2].cells == std::vector<std::string>{"李娜", "+8613900001111", "not an amount",
                                                  "unknown", "not a time", "", "她说：\"再看看\"",
                                                  "FALSE"});

  // Inside: numbers are number cells, the amount format says 万, the header row is frozen.
  REQUIRE(ZipMember(path, "xl/workbook.xml"));
  CHECK(ZipMember(path, "xl/workbook.xml")->find("name=\"a_b_c_d____ and a name longer t\"") !=
        std::string::npos);
  std::string sheet = *ZipMember(path, "xl/worksheets/sheet1.xml");
  CHECK(sheet.find("<v>3500000</v>") != std::string::npos);
  CHECK(sheet.find("<v>13800138000</v>") != std::string::npos);
  CHECK(sheet.find(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>") !=
        std::string::npos);
  std::string styles = *ZipMember(path, "xl/styles.xml");
  CHECK(styles.find("formatCode=\"0\\.0,&quot;万&quot;\"") != std::string::npos);
  CHECK(styles.find("formatCode=\"yyyy-mm-dd\"") != std::string::npos);
}

TEST_CASE("a workbook that cannot be written is an error naming the file") {
  TempDir dir;
  std::string path = dir.File("no-such-folder/out.xlsx");
  XlsxWriter writer(path);
  writer.AddSheet("t", {{"a"}});
  CHECK_THROWS_WITH_AS(writer.Close(), doctest::Contains(("cannot write '" + path + "'").c_str()),
                       InvalidInput);
}

TEST_CASE("the reader: shared and inline strings, phonetic guides, formulas, date styles, gaps") {
  ProcessTimeZone shanghai("Asia/Shanghai");
  TempDir dir;
  const std::string shared =
      R"(<si><t>姓名</t></si><si><t>手机</t></si>)"
      R"(<si><r><t>张</t></r><r><rPr><b/></rPr><t xml:space="preserve">伟</t></r>)"
      R"(<rPh sb="0" eb="1"><t>zhang</t></rPh></si>)"
      R"(<si><t>第一行_x000D_第二行</t></si>)";
  const std::string styles =
      R"(<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>)"
      R"(<numFmt numFmtId="165" formatCode="&quot;Day&quot;\ 0"/></numFmts>)"
      R"(<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>)"
      R"(<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>)"
      R"(<xf numFmtId="165"/><xf numFmtId="22"/></cellXfs>)";
  const std::string data =
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>)"
      R"(<c r="C1" t="inlineStr"><is><t>生日</t></is></c><c r="D1" t="inlineStr"><is><t>登记</t></is></c>)"
      R"(<c r="E1" t="inlineStr"><is><t>编号</t></is></c><c r="F1" t="inlineStr"><is><t>备注</t></is></c></row>)"
      R"(<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>13800138000</v></c>)"
      R"(<c r="C3" s="1"><v>32874</v></c><c r="D3" s="4"><v>46185.395833333336</v></c>)"
      R"(<c r="E3" s="3"><v>7</v></c><c r="F3" t="s"><v>3</v></c></row>)"
      R"(<row><c t="inlineStr"><is><t>李娜</t></is></c><c><v>1.3900001111E10</v></c>)"
      R"(<c s="2"><v>32269</v></c><c><v>350.10000000000002</v></c>)"
      R"(<c r="F4" t="str"><f>A4&amp;"x"</f><v>李娜x</v></c></row>)"
      R"(<row r="5"><c r="A5" t="b"><v>1</v></c><c r="C5" t="e"><v>#N/A</v></c><c r="H5" s="1"/></row>)"
      R"(<row r="6"><c r="A6" s="1"/></row>)";
  std::vector<SheetRow> rows = ReadParts(dir, WorkbookParts(data, shared, styles));
  REQUIRE(rows.size() == 4);  // the blank row 6 is left out
  CHECK(rows[0].cells == std::vector<std::string>{"姓名", "手机", "生日", "登记", "编号", "备注"});
  CHECK(rows[1].row == 3);
  CHECK(rows[1].cells == std::vector<std::string>{"张伟", "13800138000", "1990-01-01",
                                                  "2026-06-12 09:30:00", "7", "第一行\r第二行"});
  CHECK(rows[2].row == 4);
  CHECK(rows[2].cells ==
        std::vector<std::string>{"李娜", "13900001111", "1988-05-06", "350.1", "", "李娜x"});
  CHECK(rows[3].row == 5);
  CHECK(rows[3].cells == std::vector<std::string>{"TRUE", "", "#N/A", "", "", ""});

  // The 1904 date system (old Mac workbooks) counts from 1904-01-01.
  rows = ReadParts(dir, WorkbookParts(R"(<row r="1"><c r="A1" s="1"><v>0</v></c></row>)", "",
                                      styles, R"(<workbookPr date1904="1"/>)"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].cells == std::vector<std::string>{"1904-01-01"});
}

TEST_CASE("a file that is not a readable workbook is refused, saying why") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(ReadXlsxRows("name,phone\n"),
                       doctest::Contains("not a readable zip archive"), InvalidInput);

  std::string good = dir.File("good.xlsx");
  XlsxWriter writer(good);
  writer.AddSheet("t", {{"name"}, {"phone"}});
  writer.AddRow({"张伟", "13800138000"});
  writer.Close();
  std::string bytes = Slurp(good);
  CHECK_THROWS_AS(ReadXlsxRows(bytes.substr(0, bytes.size() / 2)), InvalidInput);

  auto parts =
      WorkbookParts(R"(<row r="1"><c r="A1" t="s"><v>5</v></c></row>)", "<si><t>x</t></si>");
  CHECK_THROWS_WITH_AS(ReadParts(dir, parts), doctest::Contains("A1 names shared string '5' of 1"),
                       InvalidInput);
  parts = WorkbookParts(R"(<row r="1"><c r="A1"><v>1</v></row>)");
  CHECK_THROWS_WITH_AS(ReadParts(dir, parts),
                       doctest::Contains("xl/worksheets/first.xml: malformed XML at line 1"),
                       InvalidInput);
  parts.erase("xl/workbook.xml");
  CHECK_THROWS_WITH_AS(ReadParts(dir, parts), doctest::Contains("without xl/workbook.xml"),
                       InvalidInput);

  // Through ReadSheetRows, as the import reads files: the file is named, an .xls is recognised.
  std::string xls = dir.File("old.xls");
  std::ofstream(xls, std::ios::binary)
      << std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) << std::string(512, '\0');
  CHECK_THROWS_WITH_AS(ReadSheetRows(xls), doctest::Contains("Excel 97-2003 workbook (.xls)"),
                       InvalidInput);
  std::string renamed = dir.File("list.xlsx");
  std::ofstream(renamed, std::ios::binary) << "name,phone\n张伟,13800138000\n";
  CHECK_THROWS_WITH_AS(ReadSheetRows(renamed),
                       doctest::Contains(("'" + renamed + "': not a readable zip archive").c_str()),
                       InvalidInput);
}

}  // namespace
}  // namespace fieldcrm::testing
