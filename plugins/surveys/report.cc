#include "report.h"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace surveys {

using nlohmann::json;

namespace {

struct Tally {
  int responses = 0, promoters = 0, passives = 0, detractors = 0, satisfaction_answers = 0;
  double satisfaction_sum = 0;

  void Add(const json& r) {
    responses++;
    if (r.contains("nps") && r["nps"].is_number()) {
      int nps = r["nps"];
      (nps >= 9 ? promoters : nps >= 7 ? passives : detractors)++;
    }
    if (r.contains("satisfaction") && r["satisfaction"].is_number()) {
      satisfaction_answers++;
      satisfaction_sum += r["satisfaction"].get<double>();
    }
  }

  json ToJson(const std::string& group) const {
    int answers = promoters + passives + detractors;
    auto round1 = [](double x) { return std::round(x * 10) / 10; };
    return {
        {"group", group},
        {"responses", responses},
        {"nps_answers", answers},
        {"promoters", promoters},
        {"passives", passives},
        {"detractors", detractors},
        {"nps", answers ? json(round1(100.0 * (promoters - detractors) / answers)) : json()},
        {"satisfaction",
         satisfaction_answers ? json(round1(satisfaction_sum / satisfaction_answers)) : json()}};
  }
};

std::string GroupOf(const json& r, const std::string& by) {
  std::string at = r.value("at", "");
  if (by == "month") return at.size() >= 7 ? at.substr(0, 7) : "(unknown)";
  if (by == "quarter") {
    if (at.size() < 7) return "(unknown)";
    int month = std::stoi(at.substr(5, 2));
    return at.substr(0, 4) + "-Q" + std::to_string((month - 1) / 3 + 1);
  }
  std::string value = r.value(by, "");
  return value.empty() ? "(none)" : value;
}

}  // namespace

json Report(const json& input) {
  std::string by = input.value("by", "team");
  if (by != "team" && by != "agent" && by != "month" && by != "quarter" && by != "survey") {
    throw std::invalid_argument("cannot group by '" + by +
                                "' (expected team, agent, month, quarter or survey)");
  }
  std::map<std::string, Tally> groups;
  Tally total;
  for (const json& r : input.value("responses", json::array())) {
    groups[GroupOf(r, by)].Add(r);
    total.Add(r);
  }
  json rows = json::array();
  for (const auto& [group, tally] : groups) rows.push_back(tally.ToJson(group));
  return {{"by", by}, {"rows", rows}, {"total", total.ToJson("total")}};
}

}  // namespace surveys
