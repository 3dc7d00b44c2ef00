#include "fieldcrm/application/surveys.h"

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
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
  Transaction txn(store_.db());
  store_.Write("survey", SurveyId(key),
               {{"key", key}, {"title", checked.at("title")}, {"definition", checked}});
  txn.Commit();
  return key;
}

std::vector<json> Surveys::List() {
  Statement& stmt = store_.db().Prepare(
      "SELECT doc FROM records WHERE kind = 'survey' AND deleted = 0 "
      "ORDER BY json_extract(doc, '$.key')");
  stmt.Bind();
  std::vector<json> out;
  while (stmt.Step()) out.push_back(json::parse(stmt.Text(0)));
  stmt.Reset();
  return out;
}

json Surveys::Get(const std::string& key) {
  auto definition = store_.db().QueryText(
      "SELECT json_extract(doc, '$.definition') FROM records WHERE id = ? AND kind = 'survey' "
      "AND deleted = 0",
      SurveyId(key));
  if (!definition) throw NotFound("no survey '" + key + "' (define it with 'survey define FILE')");
  return json::parse(*definition);
}

std::string Surveys::Answer(const std::string& customer, const std::string& key,
                            const json& answers, std::optional<int64_t> at_ms) {
  json definition = Get(key);
  json scored = CallPlugin("score_response", {{"survey", definition}, {"answers", answers}});
  Transaction txn(store_.db());
  Customers customers(store_);
  std::string root = customers.Resolve(customer);
  json person = customers.Get(root);
  const DeviceInfo& device = store_.device();
  FieldValues values = {{"customer", root},
                        {"survey", key},
                        {"answers", scored.at("answers")},
                        {"at", FormatTime(at_ms.value_or(SystemMillis()))},
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
  Statement& stmt = store_.db().Prepare(
      "SELECT r.doc FROM records r JOIN records p ON p.id = r.parent "
      "JOIN records c ON c.id = COALESCE(p.root, p.id) "
      "WHERE r.kind = 'survey_response' AND r.deleted = 0 AND c.deleted = 0 "
      "AND (?1 IS NULL OR json_extract(r.doc, '$.survey') = ?1) "
      "AND (?2 IS NULL OR json_extract(r.doc, '$.at') >= ?2) "
      "AND (?3 IS NULL OR json_extract(r.doc, '$.at') < ?3) ORDER BY r.id");
  stmt.Bind(query.survey, from, to);
  json responses = json::array();
  while (stmt.Step()) responses.push_back(json::parse(stmt.Text(0)));
  stmt.Reset();
  return CallPlugin("report", {{"by", query.by}, {"responses", responses}});
}

}  // namespace fieldcrm
