// The built-in surveys plugin: owns what a questionnaire may contain, how a response is checked
// and scored, and the NPS / satisfaction report. The host stores definitions and responses as
// synced records (filled in offline, synced later) and calls these functions:
//   validate_survey(definition) -> definition with defaults
//   score_response({survey, answers}) -> {answers, nps?, satisfaction?}
//   report({by, responses}) -> {by, rows, total}
#include <nlohmann/json.hpp>

#include "fieldcrm/plugin.h"
#include "questionnaire.h"
#include "report.h"

namespace surveys {
namespace {

using nlohmann::json;

class SurveysPlugin {
 public:
  void Configure(std::string_view) {}

  std::string Call(std::string_view function, std::string_view input_json) {
    try {
      json input = json::parse(input_json);
      if (function == "validate_survey") return ValidateQuestionnaire(input).dump();
      if (function == "score_response") {
        return ScoreResponse(ValidateQuestionnaire(input.at("survey")), input.at("answers")).dump();
      }
      if (function == "report") return Report(input).dump();
    } catch (const json::exception& e) {  // malformed input, not a broken plugin
      throw std::invalid_argument(e.what());
    }
    throw fieldcrm::sdk::UnknownFunction(function);
  }
};

}  // namespace
}  // namespace surveys

FIELDCRM_PLUGIN(surveys::SurveysPlugin, R"json({
  "name": "surveys",
  "version": "1.0.0",
  "kind": "survey",
  "description": "Questionnaires (single/multiple choice, 0-10 NPS, free text) filled in offline; NPS and satisfaction by team, agent and period.",
  "config_schema": {"type": "object", "additionalProperties": false, "properties": {}}
})json")
