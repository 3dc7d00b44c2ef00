#include "evening_log.h"

#include <algorithm>
#include <tuple>

namespace rotation {

using nlohmann::json;

json EveningLog(const std::string& day, json records) {
  std::sort(records.begin(), records.end(), [](const json& a, const json& b) {
    return std::make_tuple(a.value("at", ""), a.value("id", "")) <
           std::make_tuple(b.value("at", ""), b.value("id", ""));
  });
  json log = {{"day", day},
              {"duty", json::array()},
              {"walk_ins", json::array()},
              {"by_agent", json::object()},
              {"by_source", json::object()},
              {"totals", {{"walk_ins", 0}, {"new", 0}, {"returning", 0}}}};
  for (const json& record : records) {
    std::string event = record.value("event", "");
    if (event == "duty") log["duty"] = record.value("agents", json::array());
    if (event != "walkin") continue;
    bool returning = record.value("returning", false);
    const char* which = returning ? "returning" : "new";
    std::string agent = record.value("agent", "");
    std::string source = record.value("source", "");
    log["walk_ins"].push_back({{"at", record.value("at", "")},
                               {"agent", agent},
                               {"name", record.value("name", "")},
                               {"phone", record.value("phone", "")},
                               {"source", source},
                               {"returning", returning},
                               {"reason", record.value("reason", "")},
                               {"skipped", record.value("skipped", json::array())},
                               {"customer", record.value("customer", "")}});
    json& tally = log["by_agent"][agent];
    if (tally.is_null()) tally = {{"new", 0}, {"returning", 0}, {"total", 0}};
    tally[which] = tally[which].get<int>() + 1;
    tally["total"] = tally["total"].get<int>() + 1;
    json& from = log["by_source"][source.empty() ? "(unknown)" : source];
    from = from.is_null() ? 1 : from.get<int>() + 1;
    log["totals"][which] = log["totals"][which].get<int>() + 1;
    log["totals"]["walk_ins"] = log["totals"]["walk_ins"].get<int>() + 1;
  }
  return log;
}

}  // namespace rotation
