// Surveys through the real plugin: questionnaires are checked, answers validated and scored,
// responses filled in on a tablet sync to head office, and NPS / satisfaction are reported by
// team, agent and period.
#include "fieldcrm/application/surveys.h"

#include <doctest/doctest.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

const json kHandover = json::parse(R"({
  "key": "handover-2026", "title": "交房满意度回访",
  "questions": [
    {"id": "recommend", "type": "nps", "text": "您有多大可能向亲友推荐我们？"},
    {"id": "service", "type": "single", "text": "对置业顾问的服务满意吗？",
     "options": ["很满意", "满意", "一般", "不满意"], "scores": [4, 3, 2, 0], "satisfaction": true},
    {"id": "liked", "type": "multiple", "text": "最喜欢哪些方面？", "options": ["户型", "物业", "交通"],
     "required": false},
    {"id": "comment", "type": "text", "text": "其他建议"}]})");

Surveys::ReportQuery By(const std::string& by) {
  Surveys::ReportQuery query;
  query.by = by;
  return query;
}

TEST_CASE("questionnaires are checked before they are stored") {
  TempDir dir;
  Replica office(dir, "office");
  auto host = BuiltinHost(office.store());
  Surveys surveys(office.store(), *host);
  int64_t before = office.LogSize();
  json bad = kHandover;
  bad["questions"][0]["type"] = "stars";
  CHECK_THROWS_WITH_AS(surveys.Define(bad),
                       "plugin 'surveys' rejected validate_survey: question 'recommend' has type "
                       "'stars' (expected nps, single, multiple or text)",
                       InvalidInput);
  bad = kHandover;
  bad["questions"][1]["scores"] = {4, 3};
  CHECK_THROWS_WITH_AS(surveys.Define(bad),
                       doctest::Contains("needs one number in \"scores\" per option"),
                       InvalidInput);
  bad = kHandover;
  bad["questions"][2]["id"] = "recommend";
  CHECK_THROWS_WITH_AS(surveys.Define(bad),
                       doctest::Contains("question id 'recommend' is used twice"), InvalidInput);
  CHECK(office.LogSize() == before);
  CHECK(surveys.Define(kHandover) == "handover-2026");
  CHECK(surveys.List().size() == 1);
  CHECK(surveys.Get("handover-2026")["questions"][3]["required"] == false);
}

TEST_CASE("answers are validated against the questionnaire; bad ones store nothing") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  auto host = BuiltinHost(tablet.store());
  Surveys surveys(tablet.store(), *host);
  surveys.Define(kHandover);
  std::string id = tablet.Customer("张伟", "13800138000", "2026-01-01");
  int64_t before = tablet.LogSize();
  auto answer = [&](json answers) { return surveys.Answer(id, "handover-2026", answers, kAsOf); };
  CHECK_THROWS_WITH_AS(
      answer({{"recommend", "11"}, {"service", "满意"}}),
      doctest::Contains("answer to 'recommend' must be a whole number from 0 to 10"), InvalidInput);
  CHECK_THROWS_WITH_AS(answer({{"recommend", "9"}, {"service", "还行"}}),
                       doctest::Contains("'还行' is not one of"), InvalidInput);
  CHECK_THROWS_WITH_AS(answer({{"recommend", "9"}}),
                       doctest::Contains("question 'service' needs an answer"), InvalidInput);
  CHECK_THROWS_WITH_AS(answer({{"recommend", "9"}, {"service", "满意"}, {"colour", "red"}}),
                       doctest::Contains("has no question 'colour'"), InvalidInput);
  CHECK_THROWS_WITH_AS(surveys.Answer(id, "no-such-survey", json::object(), kAsOf),
                       "no survey 'no-such-survey' (define it with 'survey define FILE')",
                       NotFound);
  CHECK(tablet.LogSize() == before);

  std::string response =
      answer({{"recommend", "9"}, {"service", "满意"}, {"liked", "户型,交通"}, {"comment", "好"}});
  json doc = json::parse(StoreDatabase(tablet.store())
                             .QueryText("SELECT doc FROM records WHERE id = ?", response)
                             .value());
  CHECK(doc["nps"] == 9);
  CHECK(doc["satisfaction"] == 75.0);
  CHECK(doc["answers"]["liked"] == json::array({"户型", "交通"}));
  CHECK(doc["team"] == "滨江一组");
  CHECK(doc["agent"] == "王芳");
}

TEST_CASE(
    "responses filled in offline on tablets give NPS by team, agent and month at head office") {
  TempDir dir;
  Replica office(dir, "office", "", ""), east(dir, "east", "王芳", "滨江一组"),
      west(dir, "west", "李强", "滨江二组");
  {
    auto host = BuiltinHost(office.store());
    Surveys(office.store(), *host).Define(kHandover);
  }
  Sync(office.store(), east.store());
  Sync(office.store(), west.store());
  auto fill = [](Replica& r, const std::string& phone, const char* nps, const char* service,
                 const char* at) {
    auto host = BuiltinHost(r.store());
    std::string id = r.Customer("客户" + phone, phone, "2026-01-01");
    Surveys(r.store(), *host)
        .Answer(id, "handover-2026", {{"recommend", nps}, {"service", service}},
                ParseTime(at, "at"));
  };
  fill(east, "13800000001", "10", "很满意", "2026-04-10");
  fill(east, "13800000002", "9", "满意", "2026-05-10");
  fill(east, "13800000003", "7", "一般", "2026-05-11");
  fill(east, "13800000004", "3", "不满意", "2026-05-12");
  fill(west, "13800000005", "10", "很满意", "2026-05-20");
  Sync(office.store(), east.store());
  Sync(office.store(), west.store());

  auto host = BuiltinHost(office.store());
  Surveys surveys(office.store(), *host);
  json by_team = surveys.Report(By("team"));
  REQUIRE(by_team["rows"].size() == 2);
  json east_row = by_team["rows"][0];
  CHECK(east_row["group"] == "滨江一组");
  CHECK(east_row["responses"] == 4);
  CHECK(east_row["promoters"] == 2);
  CHECK(east_row["passives"] == 1);
  CHECK(east_row["detractors"] == 1);
  CHECK(east_row["nps"] == 25.0);
  CHECK(east_row["satisfaction"] == 56.3);  // (100 + 75 + 50 + 0) / 4, to one decimal
  CHECK(by_team["rows"][1]["nps"] == 100.0);
  CHECK(by_team["total"]["nps"] == 40.0);  // 3 promoters, 1 detractor of 5

  json by_agent = surveys.Report(By("agent"));
  CHECK(by_agent["rows"][0]["group"] == "李强");
  json by_month = surveys.Report(By("month"));
  REQUIRE(by_month["rows"].size() == 2);
  CHECK(by_month["rows"][0]["group"] == "2026-04");
  CHECK(by_month["rows"][1]["responses"] == 4);
  Surveys::ReportQuery may = By("quarter");
  may.survey = "handover-2026";
  may.from_ms = ParseTime("2026-05-01", "from");
  may.to_ms = ParseTime("2026-06-01", "to");
  json may_report = surveys.Report(may);
  CHECK(may_report["total"]["responses"] == 4);
  CHECK(may_report["rows"][0]["group"] == "2026-Q2");
  CHECK_THROWS_WITH_AS(surveys.Report(By("colour")), doctest::Contains("cannot group by 'colour'"),
                       InvalidInput);
}

}  // namespace
}  // namespace fieldcrm::testing
