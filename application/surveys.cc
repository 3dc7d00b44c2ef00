#include "fieldcrm/application/surveys.h"

#include <algorithm>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/storage/name_uuid.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

std::string SurveyId(const std::string& key) {
  return NameUuid("survey/" + key);
}

}  // namespace

Surveys::Surveys(Store& store, PluginHost& host)
    : store_(store), plugin_(host.RequireKind("survey")) {}

json Surveys::CallPlugin(const char* function, const json& input) {
  std::string text = input.dump();
  std::string output = plugin_.Call(function, text);
  try {
    return json::parse(output);
  } catch (const json::exception& e) {
    throw plugin_.Disable(std::string(function) + " returned malformed JSON: " + e.what());
  }
}

std::string Surveys::Define(const json& definition) {
  json checked = CallPlugin("validate_survey", definition);
  std::string key = checked.at("key");
  Transaction txn = store_.Transact();
  store_.Write("survey", SurveyId(key),
               {{"key", key}, {"title", checked.at("title")}, {"definition", checked}});
  txn.Commit();
  return key;
}

std::vector<json> Surveys::List() {
  std::vector<json> surveys = LiveRecords(store_, "survey");
  std::stable_sort(surveys.begin(), surveys.end(), [](const json& a, const json& b) {
    return a.value("key", "") < b.value("key", "");
  });
  return surveys;
}

json Surveys::Get(const std::string& key) {
  auto survey = LiveRecord(store_, SurveyId(key), "survey");
  if (!survey || !survey->contains("definition")) {
    throw NotFound("no survey '" + key + "' (define it with 'survey define FILE')");
  }
  return (*survey)["definition"];
}

std::string Surveys::Answer(const std::string& customer, const std::string& key,
                            const json& answers, std::optional<int64_t> at_ms) {
  json definition = Get(key);
  json scored = CallPlugin("score_response", {{"survey", definition}, {"answers", answers}});
  Transaction txn = store_.Transact();
  Customers customers(store_);
  std::string root = customers.Resolve(customer);
  json person = customers.Get(root);
  const DeviceInfo& device = store_.device();
  FieldValues values = {{"customer", root},
                        {"survey", key},
                        {"answers", scored.at("answers")},
                        {"at", FormatTime(at_ms.value_or(store_.env().NowMillis()))},
                        {"agent", person.value("agent", device.agent)},
                        {"team", person.value("team", device.team)}};
  for (const char* score : {"nps", "satisfaction"}) {
    if (scored.contains(score)) values.emplace_back(score, scored[score]);
  }
  std::string id = store_.NewId();
  store_.Write("survey_response", id, values);
  txn.Commit();
  return id;
}

json Surveys::Report(const ReportQuery& query) {
  if (query.survey) Get(*query.survey);  // an unknown key is a typo, not an empty report
  std::optional<std::string> from, to;
  if (query.from_ms) from = FormatTime(*query.from_ms);
  if (query.to_ms) to = FormatTime(*query.to_ms);
  json responses = LiveSurveyResponses(store_, query.survey, from, to);
  return CallPlugin("report", {{"by", query.by}, {"responses", responses}});
}

}  // namespace fieldcrm
