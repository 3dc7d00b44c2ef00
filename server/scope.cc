#include "fieldcrm/server/scope.h"

#include <nlohmann/json.hpp>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/change.h"

namespace fieldcrm::sync {

std::string RoleName(Role role) {
  switch (role) {
    case Role::kOffice:
      return "office";
    case Role::kLeader:
      return "leader";
    case Role::kAgent:
      break;
  }
  return "agent";
}

Role ParseRole(const std::string& name) {
  if (name == "agent") return Role::kAgent;
  if (name == "leader") return Role::kLeader;
  if (name == "office") return Role::kOffice;
  throw InvalidInput("role must be 'agent', 'leader' or 'office', not '" + name + "'");
}

std::optional<std::string> WriteRefusal(const Principal& who, const Change& change,
                                        const RecordScope& scope,
                                        const std::optional<RecordScope>& merge_target) {
  if (who.role == Role::kOffice) return std::nullopt;
  if (change.kind == kErasureKind) return "only head office may erase a customer";
  if (scope.global) return "only head office may change " + change.kind + " records";
  // The refusals for other teams' records name neither their team nor their surviving customer:
  // an agent learns nothing about records outside its team, not even whose they are.
  if (scope.team != who.team) {
    return change.kind + " " + change.record + " is not your team " + who.team +
           "'s: only its team and head office may change it";
  }
  bool owns_team = change.kind == "customer" || scope.customer.empty();  // a stamped record
  if (owns_team && change.field == "team" && change.value != nlohmann::json(who.team).dump()) {
    return "only head office may move a " + change.kind + " to another team";
  }
  if (change.kind != "customer") return std::nullopt;
  if (change.field == kMergedIntoField && merge_target && merge_target->team != who.team) {
    return "cannot merge into a customer that is not your team " + who.team + "'s";
  }
  return std::nullopt;
}

}  // namespace fieldcrm::sync
