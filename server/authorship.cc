#include "fieldcrm/server/authorship.h"

#include <nlohmann/json.hpp>

namespace fieldcrm::sync {

std::optional<std::string> AuthorshipRefusal(const Principal& who, const Change& change,
                                             const std::optional<std::string>& credited_agent,
                                             const std::set<std::string>& team_agents) {
  if (who.role == Role::kOffice || change.field != kAuthorField) return std::nullopt;
  if (who.role == Role::kLeader) {
    // The record is the team's (scope checked that), so crediting within the team is the
    // leader's call; an agent nobody in the team is would take credit out of the audit's reach.
    auto named = nlohmann::json::parse(change.value.value_or("null"), nullptr, false);
    if (named.is_string() && team_agents.contains(named.get<std::string>())) return std::nullopt;
    return std::string("field '") + kAuthorField + "' of " + change.kind + " " + change.record +
           " must name an agent of this leader's team " + who.team +
           ": only head office may credit a record to someone else";
  }
  if (change.value != nlohmann::json(who.agent).dump()) {
    return std::string("field '") + kAuthorField + "' of " + change.kind + " " + change.record +
           " must name this token's agent " + who.agent +
           ": only head office may credit a record to someone else";
  }
  if (credited_agent && !credited_agent->empty() && *credited_agent != who.agent) {
    return std::string("field '") + kAuthorField + "' of " + change.kind + " " + change.record +
           ": the record is credited to " + *credited_agent +
           "; only head office may credit it to " + who.agent;
  }
  return std::nullopt;
}

}  // namespace fieldcrm::sync
