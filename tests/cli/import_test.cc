// import: spreadsheets as Chinese sales offices save them (tests/cli/data), the all-or-nothing
// contract, --dry-run, --skip-bad-rows, --map and the saved mapping, on real files.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "tests/cli/tablet.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("an office template: header variants and notes, 万 column, Excel dates, duplicates") {
  Tablet t;
  RunResult r = Cli(t.db, {"import", SampleFile("office_template_utf8.csv")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  CHECK(r.out.find("客户姓名（必填） → name") != std::string::npos);
  CHECK(r.out.find("意向预算（万元） → budget (万)") != std::string::npos);
  CHECK(r.out.find("ignored columns: 序号, 微信号") != std::string::npos);
  CHECK(r.out.find("rows 2, 5: same phone +8613800138000, merged into one customer") !=
        std::string::npos);
  CHECK(r.out.find("imported 3 customers, 0 already on the store, from 4 rows") !=
        std::string::npos);

  auto customers = ByName(t.Json({"customer", "list"}));
  REQUIRE(customers.size() == 3);
  json zhang = customers["张伟"];
  CHECK(zhang["phone"] == "+8613800138000");
  CHECK(zhang["budget"] == 3500000);  // 350 in a 万元 column
  CHECK(zhang["birthday"] == "1990-01-01");
  CHECK(zhang["stage"] == "intent");
  CHECK(zhang["source"] == "walk-in");  // the first row's value wins over row 5's 网络
  CHECK(zhang["notes"] == "南向三房");
  CHECK(!zhang.contains("import.微信号"));
  CHECK(customers["李娜"]["birthday"] == "1988-05-06");
  CHECK(customers["李娜"]["source"] == "referral");
  CHECK(customers["陈静"]["birthday"] == "1990-01-01");  // Excel serial 32874
  CHECK(customers["陈静"]["budget"] == 120000000);       // 1.2亿 keeps its own unit
  CHECK(customers["陈静"]["notes"] == "她说：\"再看看\"");
  CHECK(customers["陈静"]["stage"] == "buyer");
}

TEST_CASE("a GBK file from Excel on Chinese Windows, amounts with 元 and thousands separators") {
  Tablet t;
  RunResult r = Cli(t.db, {"--json", "import", SampleFile("office_gbk.csv")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json report = json::parse(r.out);
  CHECK(report["added"] == 2);
  CHECK(report["written"] == true);
  CHECK(report["columns"]["联系电话"] == "phone");
  auto customers = ByName(t.Json({"customer", "list"}));
  CHECK(customers["王磊"]["budget"] == 3000000);
  CHECK(customers["王磊"]["birthday"] == "1985-03-09");
  CHECK(customers["王磊"]["source"] == "call");
  CHECK(customers["赵敏"]["budget"] == 3500000);
  CHECK(customers["赵敏"]["birthday"] == "1979-12-31");
  CHECK(customers["赵敏"]["project"] == "滨江壹号");
}

TEST_CASE("--keep-unknown keeps unknown columns as extension fields") {
  Tablet t;
  RunResult r = Cli(t.db, {"import", "--keep-unknown", "--map", "序号=-",
                           SampleFile("office_template_utf8.csv")});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("ignored columns: 序号 (keep") != std::string::npos);
  auto customers = ByName(t.Json({"customer", "list"}));
  CHECK(customers["张伟"]["import.微信号"] == "zw88");
  CHECK(!customers["张伟"].contains("import.序号"));
}

TEST_CASE("--map names the columns a template calls otherwise; --save-map remembers them") {
  Tablet t;
  std::string csv = t.dir.File("agency.csv");
  std::ofstream(csv) << "客户级别,称呼,号码\nA,周杰,13500001234\n";
  CheckFails(Cli(t.db, {"import", csv}), "no name column");
  CheckFails(Cli(t.db, {"import", "--map", "称呼=shoe", csv}), "unknown customer field 'shoe'");
  CheckFails(Cli(t.db, {"import", "--map", "称呼", csv}), "expected --map COLUMN=FIELD");

  RunResult r = Cli(t.db, {"import", "--map", "称呼=name", "--map", "号码=phone", "--map",
                           "客户级别=office.level", "--save-map", csv});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json zhou = t.Json({"customer", "find", "--phone", "13500001234"});
  CHECK(zhou["name"] == "周杰");
  CHECK(zhou["office.level"] == "A");

  std::string next = t.dir.File("agency-2.csv");
  std::ofstream(next) << "客户级别,称呼,号码\nB,吴昊,13500005678\n";
  RunResult again = Cli(t.db, {"import", next});  // the saved mapping applies
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(t.Json({"customer", "find", "--phone", "13500005678"})["office.level"] == "B");
}

TEST_CASE("a file that cannot be read as a whole: one line naming the problem, nothing written") {
  Tablet t;
  std::string before = t.Export();
  std::string twice = t.dir.File("twice.csv");
  std::ofstream(twice) << "姓名,电话,手机\n张伟,13800138000,13900001111\n";
  CheckFails(Cli(t.db, {"import", twice}), "columns 2 ('电话') and 3 ('手机') both hold phone");

  std::string quote = t.dir.File("quote.csv");
  std::ofstream(quote) << "姓名,电话,备注\n张伟,13800138000,ok\n李娜,\"13900001111,x\n陈静,1,2\n";
  CheckFails(Cli(t.db, {"import", quote}), "row 3, column 2: unterminated quote");
  CHECK(t.Export() == before);

  RunResult mapped = Cli(t.db, {"import", "--map", "手机=-", twice});
  CHECK(mapped.exit_code == 0);
  CHECK(t.Json({"customer", "find", "--phone", "13800138000"})["name"] == "张伟");
}

TEST_CASE("bad rows: all or nothing by default, --dry-run lists them, --skip-bad-rows sets aside") {
  Tablet t;
  std::string csv = t.dir.File("list.csv");
  std::ofstream(csv)
      << "姓名,电话,预算\n张伟,13800138000,300万\n坏号码,123,1\n李娜,13900001111,nan\n"
         "陈静,13912345678,99999999999999999999\n王磊,13700001111,\n";
  std::string before = t.Export();

  RunResult all = Cli(t.db, {"import", csv});
  CheckFails(all,
             "3 of 5 rows cannot be imported, so nothing was imported: row 3: invalid phone "
             "number '123'");
  CHECK(all.err.find("row 4: invalid budget 'nan'") != std::string::npos);
  CHECK(all.err.find("row 5: invalid budget '99999999999999999999': too large") !=
        std::string::npos);
  CHECK(t.Export() == before);

  RunResult dry = Cli(t.db, {"import", "--dry-run", csv});
  CHECK(dry.exit_code == 1);
  CHECK(dry.out.find("row 3: invalid phone number '123'") != std::string::npos);
  CHECK(dry.out.find("dry run: 2 customers from 5 rows would be imported") != std::string::npos);
  CHECK(std::count(dry.err.begin(), dry.err.end(), '\n') == 1);
  CHECK(t.Export() == before);

  std::string rejects = t.dir.File("rejects.csv");
  RunResult skip = Cli(t.db, {"import", "--skip-bad-rows", rejects, csv});
  CHECK_MESSAGE(skip.exit_code == 0, skip.err);
  CHECK(skip.out.find("imported 2 customers") != std::string::npos);
  CHECK(skip.out.find("3 rows rejected (written to " + rejects + ")") != std::string::npos);
  CHECK(t.Json({"customer", "list"}).size() == 2);
  std::string rejected = Slurp(rejects);
  CHECK(rejected.starts_with("\xEF\xBB\xBF\"姓名\",\"电话\",\"预算\",\"错误原因\"\r\n"));
  CHECK(rejected.find("\"坏号码\",\"123\",\"1\",\"row 3: invalid phone number '123'") !=
        std::string::npos);

  // The office fixes the rejected rows in Excel and imports the same file again.
  std::string fixed = rejected;
  fixed.replace(fixed.find("\"123\""), 5, "\"13600000003\"");
  fixed.replace(fixed.find("\"nan\""), 5, "\"280万\"");
  fixed.replace(fixed.find("\"99999999999999999999\""), 22, "\"1.2亿\"");
  std::ofstream(rejects, std::ios::binary) << fixed;
  RunResult again = Cli(t.db, {"import", rejects});
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  CHECK(again.out.find("ignored columns: 错误原因") != std::string::npos);
  CHECK(t.Json({"customer", "list"}).size() == 5);
  CHECK(t.Json({"customer", "find", "--phone", "13912345678"})["budget"] == 120000000);
}

TEST_CASE("a big file reports its progress on stderr") {
  Tablet t;
  std::string csv = t.dir.File("big.csv");
  {
    std::ofstream out(csv);
    out << "姓名,电话\n";
    for (int i = 0; i < 5000; ++i) out << "客户" << i << ",1380000" << 1000 + i << '\n';
  }
  RunResult r = Cli(t.db, {"import", csv});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err == "fieldcrm: import: 5000 of 5000 customers written\n");
  CHECK(Cli(t.db, {"import", "--quiet", csv}).err.empty());
}

}  // namespace
}  // namespace fieldcrm::testing
