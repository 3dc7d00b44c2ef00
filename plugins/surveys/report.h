// NPS and satisfaction over survey responses, grouped by team, agent, month, quarter or survey.
// NPS = % promoters (9-10) - % detractors (0-6) among responses with an NPS answer;
// satisfaction = mean satisfaction (0-100) among responses that have one.
#pragma once

#include <nlohmann/json.hpp>

namespace surveys {

// input: {"by": "team"|"agent"|"month"|"quarter"|"survey", "responses": [{survey, nps?,
// satisfaction?, team, agent, at}]}. Returns {"by", "rows": [{group, responses, nps_answers,
// promoters, passives, detractors, nps, satisfaction}], "total": {...}}; nps and satisfaction
// are null where a group has no such answer.
nlohmann::json Report(const nlohmann::json& input);

}  // namespace surveys
