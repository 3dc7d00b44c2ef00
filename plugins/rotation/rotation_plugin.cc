// rotation: walk-in rotation at a sales office (来访轮流接待), the way a third party would write
// it: built only against the SDK (plugin API 2.3, calls with the store at hand). The agents on
// duty form a queue; the next walk-in goes to the agent whose turn it is, a returning customer
// to the agent who registered them first, and an agent who is with a customer is skipped and
// keeps their place. Its reception records (kind "reception": the duty list, each walk-in, each
// agent done with a customer) are the single source of truth: they sync and merge like every
// record, and the queue is computed from the day's records alone (queue.h), so two reception
// tablets that have synced show one queue and one log.
//
// Functions (JSON in, JSON out); the host passes "day" (the office's calendar date) and "at"
// (ISO-8601 UTC) with each:
//   duty   {agents: [...]}                  -> the queue
//   walkin {phone (normalised), name, source} -> {agent, reason, returning, skipped, waiting, ...}
//   done   {agent}                          -> the queue
//   queue  {}                               -> {order, busy}
//   log    {}                               -> the evening meeting's log (evening_log.h)
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "evening_log.h"
#include "fieldcrm/plugin.h"
#include "queue.h"

namespace rotation {
namespace {

using fieldcrm::sdk::CallHost;
using nlohmann::json;

constexpr const char* kKind = "reception";

std::string Required(const json& input, const char* field) {
  auto found = input.find(field);
  if (found == input.end() || !found->is_string() || found->get<std::string>().empty()) {
    throw std::invalid_argument(std::string("'") + field + "' is required");
  }
  return found->get<std::string>();
}

json QueueJson(const Queue& queue) {
  return {{"order", queue.order}, {"busy", queue.busy}};
}

// The agent a returning customer belongs to: their registering agent, or, when this replica
// has not got the customer yet, the agent who received their first walk-in.
std::string FirstReceiver(const json& earlier_walk_ins) {
  const json* first = nullptr;
  for (const json& record : earlier_walk_ins) {
    if (record.value("event", "") != "walkin") continue;
    if (first == nullptr || std::make_tuple(record.value("at", ""), record.value("id", "")) <
                                std::make_tuple(first->value("at", ""), first->value("id", ""))) {
      first = &record;
    }
  }
  return first == nullptr ? "" : first->value("agent", "");
}

// Where the walk-in came from: as the receptionist says, else as the customer's record says.
std::string Source(const json& input, const json& customer) {
  std::string said = input.value("source", "");
  if (!said.empty() || !customer.is_object()) return said;
  return customer.value("source", "");
}

class RotationPlugin {
 public:
  void Configure(std::string_view config_json) {
    returning_uses_turn_ = json::parse(config_json).value("returning_uses_turn", false);
  }

  std::string Call(std::string_view function, std::string_view input_json, CallHost& host) {
    json input = json::parse(input_json, nullptr, false);
    if (!input.is_object()) throw std::invalid_argument("the input is not a JSON object");
    std::string day = Required(input, "day");
    if (function == "log") return EveningLog(day, Day(host, day)).dump();
    if (function == "queue") return QueueJson(Replay(Day(host, day), returning_uses_turn_)).dump();
    std::string at = Required(input, "at");
    if (function == "duty") return Duty(host, day, at, input);
    if (function == "walkin") return WalkIn(host, day, at, input);
    if (function == "done") return Done(host, day, at, Required(input, "agent"));
    throw fieldcrm::sdk::UnknownFunction(function);
  }

 private:
  static json Day(CallHost& host, const std::string& day) {
    return json::parse(host.Records(kKind, "day", day));
  }

  std::string Duty(CallHost& host, const std::string& day, const std::string& at,
                   const json& input) {
    json agents = input.value("agents", json::array());
    if (!agents.is_array() || agents.empty()) {
      throw std::invalid_argument("name the agents on duty, in the order they take turns");
    }
    for (const json& agent : agents) {
      if (!agent.is_string() || agent.get<std::string>().empty()) {
        throw std::invalid_argument("agents are names");
      }
    }
    host.Write(kKind, day + "/duty/" + at,
               json{{"day", day}, {"event", "duty"}, {"at", at}, {"agents", agents}}.dump());
    json records = Day(host, day);
    records.push_back({{"event", "duty"}, {"at", at}, {"agents", agents}});
    return QueueJson(Replay(records, returning_uses_turn_)).dump();
  }

  std::string WalkIn(CallHost& host, const std::string& day, const std::string& at,
                     const json& input) {
    std::string phone = Required(input, "phone");
    json customer = json::parse(host.CustomerByPhone(phone));
    std::string registered_by = customer.is_object() ? customer.value("agent", "") : "";
    bool returning = customer.is_object();
    if (!returning) {
      registered_by = FirstReceiver(json::parse(host.Records(kKind, "phone", phone)));
      returning = !registered_by.empty();
    }
    Decision decision =
        Decide(Replay(Day(host, day), returning_uses_turn_), returning, registered_by);
    json record = {{"day", day},
                   {"event", "walkin"},
                   {"at", at},
                   {"phone", phone},
                   {"name", customer.is_object() ? customer.value("name", input.value("name", ""))
                                                 : input.value("name", "")},
                   {"source", Source(input, customer)},
                   {"agent", decision.agent},
                   {"reason", decision.reason},
                   {"returning", decision.returning},
                   {"skipped", decision.skipped}};
    if (customer.is_object()) record["customer"] = customer["id"];
    host.Write(kKind, day + "/walkin/" + at + "/" + phone, record.dump());
    return json{{"agent", decision.agent},
                {"reason", decision.reason},
                {"returning", decision.returning},
                {"registered_by", decision.registered_by},
                {"skipped", decision.skipped},
                {"waiting", decision.waiting},
                {"customer", record.value("customer", "")},
                {"message", decision.message}}
        .dump();
  }

  std::string Done(CallHost& host, const std::string& day, const std::string& at,
                   const std::string& agent) {
    json records = Day(host, day);
    if (!Replay(records, returning_uses_turn_).Busy(agent)) {
      throw std::invalid_argument(agent + " is not with a customer");
    }
    json record = {{"day", day}, {"event", "done"}, {"at", at}, {"agent", agent}};
    host.Write(kKind, day + "/done/" + at + "/" + agent, record.dump());
    records.push_back(record);
    return QueueJson(Replay(records, returning_uses_turn_)).dump();
  }

  bool returning_uses_turn_ = false;
};

}  // namespace
}  // namespace rotation

FIELDCRM_PLUGIN(rotation::RotationPlugin, R"json({
  "name": "rotation",
  "version": "1.0.0",
  "kind": "reception",
  "description": "Walk-in rotation (来访轮流接待): the agents on duty take walk-ins in turn, a returning customer goes to the agent who registered them, a busy agent is skipped and keeps their place; the day's reception log for the evening meeting (夕会).",
  "writes": ["reception"],
  "config_schema": {
    "type": "object",
    "additionalProperties": false,
    "properties": {"returning_uses_turn": {"type": "boolean"}}
  },
  "default_config": {"returning_uses_turn": false}
})json")
