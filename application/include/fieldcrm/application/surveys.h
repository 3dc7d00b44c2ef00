// Surveys as synced records: a `survey` record per questionnaire (id derived from its key, so
// defining it at head office and on a tablet addresses the same record) and a `survey_response`
// record per filled-in questionnaire. What a questionnaire may contain, how answers are checked
// and scored and how NPS is computed belong to the survey plugin.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

class Surveys {
 public:
  Surveys(Store& store, PluginHost& host);

  // Validates with the plugin and stores the definition; defining a key again replaces it.
  // Returns the key.
  std::string Define(const nlohmann::json& definition);
  std::vector<nlohmann::json> List();
  // The definition stored under key; throws NotFound.
  nlohmann::json Get(const std::string& key);
  // Checks and scores answers (question id -> answer) with the plugin, then stores the response
  // for the customer, credited to the customer's agent and team. Returns the response id.
  std::string Answer(const std::string& customer, const std::string& key,
                     const nlohmann::json& answers, std::optional<int64_t> at_ms);

  struct ReportQuery {
    std::string by = "team";  // team, agent, month, quarter, survey
    std::optional<std::string> survey;
    std::optional<int64_t> from_ms, to_ms;  // [from, to)
  };
  nlohmann::json Report(const ReportQuery& query);

 private:
  nlohmann::json CallPlugin(const char* function, const nlohmann::json& input);

  Store& store_;
  LoadedPlugin& plugin_;
};

}  // namespace fieldcrm
