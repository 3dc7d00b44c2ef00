#include "fieldcrm/server/authorship.h"

#include <nlohmann/json.hpp>

namespace fieldcrm::sync {

std::optional<std::string> AuthorshipRefusal(const Principal& who, const Change& change,
                                             const std::optional<std::string>& credited_agent) {
  if (who.role == Role::kOffice || change.field != kAuthorField) return std::nullopt;
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
