#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/csv_io.h"
#include "fieldcrm/model/customer_export.h"
#include "fieldcrm/model/customer_import.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using fieldcrm::testing::StateDump;
using fieldcrm::testing::TempDir;

namespace {

std::string Write(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir.File(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("UTF-8 CSV with Chinese headers, quoting, bad rows and a duplicate phone") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  std::string path = Write(dir, "list.csv",
                           "\xEF\xBB\xBF姓名,电话,来源,备注,office.wechat\r\n"
                           "张伟,138 0013 8000,来访,\"喜欢南向，\"\"安静\"\"\n第二行\",zw\r\n"
                           "李娜,12345,活动,,\r\n"
                           "王磊,13700001111,中介\r\n"
                           "张伟,+8613800138000,来访,,\r\n");
  std::string before = StateDump(StoreDatabase(*store));
  ImportReport all_or_nothing = ImportCustomers(*store, path, {});
  CHECK(!all_or_nothing.written);
  CHECK(StateDump(StoreDatabase(*store)) == before);

  ImportReport report = ImportCustomers(*store, path, {.skip_bad_rows = true});
  CHECK(report.written);
  CHECK(report.added == 1);
  CHECK(report.rows == 4);
  REQUIRE(report.rejected.size() == 2);
  CHECK(report.rejected[0].row == 3);
  CHECK(report.rejected[0].reason.find("invalid phone number '12345'") == 0);
  CHECK(report.rejected[1].row == 4);
  CHECK(report.rejected[1].reason.find("has 3 cells, the header 5") == 0);
  REQUIRE(report.merged.size() == 1);
  CHECK(report.merged[0].rows == std::vector<size_t>{2, 5});
  auto zhang = Customers(*store).FindByPhone("13800138000").value();
  CHECK(zhang["notes"] == "喜欢南向，\"安静\"\n第二行");
  CHECK(zhang["office.wechat"] == "zw");
}

TEST_CASE("CSV records keep the spreadsheet's row numbers; quotes are read as Excel writes them") {
  auto records = ParseCsvRecords("a,b\r\n\"x\ny\",\"say \"\"hi\"\"\"\n\nlast,\"\"");
  REQUIRE(records.size() == 4);
  CHECK(records[1].row == 2);
  CHECK(records[1].cells == std::vector<std::string>{"x\ny", "say \"hi\""});
  CHECK(records[2].row == 3);
  CHECK(records[2].cells == std::vector<std::string>{""});
  CHECK(records[3].row == 4);
  CHECK(records[3].cells == std::vector<std::string>{"last", ""});
  CHECK_THROWS_WITH_AS(ParseCsvRecords("a,b\nx,\"open\n"),
                       doctest::Contains("row 2, column 2: unterminated quote"), InvalidInput);
}

TEST_CASE("GBK files from Excel are decoded") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  // "姓名,电话\n陈静,13912345678\n" in GBK.
  std::string gbk = "\xD0\xD5\xC3\xFB,\xB5\xE7\xBB\xB0\n\xB3\xC2\xBE\xB2,13912345678\n";
  ImportReport report = ImportCustomers(*store, Write(dir, "gbk.csv", gbk), {});
  CHECK(report.added == 1);
  CHECK(Customers(*store).FindByPhone("13912345678").value()["name"] == "陈静");
}

TEST_CASE("a file that cannot be read as a customer list changes nothing") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("s.db"), {.name = "s"});
  std::string before = StateDump(StoreDatabase(*store));
  CHECK_THROWS_WITH_AS(
      ImportCustomers(*store, Write(dir, "a.csv", "name,phone,phone\nx,13800138000,1\n"), {}),
      doctest::Contains("both hold phone"), InvalidInput);
  CHECK_THROWS_WITH_AS(ImportCustomers(*store, Write(dir, "b.csv", "name,city\nx,杭州\n"), {}),
                       doctest::Contains("no phone column"), InvalidInput);
  CHECK_THROWS_AS(ImportCustomers(*store, Write(dir, "c.csv", ""), {}), InvalidInput);
  CHECK_THROWS_AS(ImportCustomers(*store, dir.File("missing.csv"), {}), NotFound);
  CHECK(StateDump(StoreDatabase(*store)) == before);
}

TEST_CASE("export writes every customer as CSV that imports back") {
  TempDir dir;
  auto source = CreateCustomerStore(dir.File("a.db"), {.name = "a"});
  Customers(*source).Add({{"name", "张伟"},
                          {"phone", "13800138000"},
                          {"tags", "学区,地铁"},
                          {"notes", "说\"好\", 再来"},
                          {"x.level", "gold"}});
  std::ostringstream out;
  ExportCustomersCsv(*source, out);
  std::string csv = out.str();
  CHECK(csv.find("x.level") != std::string::npos);
  auto target = CreateCustomerStore(dir.File("b.db"), {.name = "b"});
  ImportReport report = ImportCustomers(*target, Write(dir, "export.csv", csv), {});
  CHECK(report.rejected.empty());
  CHECK(report.ignored_columns.empty());
  auto copy = Customers(*target).FindByPhone("13800138000").value();
  CHECK(copy["notes"] == "说\"好\", 再来");
  CHECK(copy["tags"] == nlohmann::json::array({"学区", "地铁"}));
}
