#include "queue.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace rotation {

using nlohmann::json;

namespace {

bool Contains(const std::vector<std::string>& agents, const std::string& agent) {
  return std::find(agents.begin(), agents.end(), agent) != agents.end();
}

void Remove(std::vector<std::string>& agents, const std::string& agent) {
  agents.erase(std::remove(agents.begin(), agents.end(), agent), agents.end());
}

std::string Text(const json& record, const char* field) {
  auto found = record.find(field);
  return found != record.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string Joined(const std::vector<std::string>& agents) {
  std::string text;
  for (const std::string& agent : agents) text += (text.empty() ? "" : ", ") + agent;
  return text;
}

}  // namespace

bool Queue::OnDuty(const std::string& agent) const {
  return Contains(order, agent);
}

bool Queue::Busy(const std::string& agent) const {
  return Contains(busy, agent);
}

Queue Replay(json records, bool returning_uses_turn) {
  // By time, then id: the same order on every replica whatever order the records arrived in.
  std::sort(records.begin(), records.end(), [](const json& a, const json& b) {
    return std::make_tuple(Text(a, "at"), Text(a, "id")) <
           std::make_tuple(Text(b, "at"), Text(b, "id"));
  });
  Queue queue;
  for (const json& record : records) {
    std::string event = Text(record, "event");
    std::string agent = Text(record, "agent");
    if (event == "duty") {
      queue.order.clear();
      for (const json& name : record.value("agents", json::array())) {
        if (name.is_string() && !Contains(queue.order, name)) queue.order.push_back(name);
      }
    } else if (event == "walkin") {
      if (!queue.Busy(agent)) queue.busy.push_back(agent);
      bool used_turn = Text(record, "reason") == "turn" || returning_uses_turn;
      if (used_turn && queue.OnDuty(agent)) {
        Remove(queue.order, agent);
        queue.order.push_back(agent);
      }
    } else if (event == "done") {
      Remove(queue.busy, agent);
    }
  }
  return queue;
}

Decision Decide(const Queue& queue, bool returning, const std::string& registered_by) {
  if (queue.order.empty()) {
    throw std::invalid_argument("nobody is on duty today: set the duty list first");
  }
  Decision decision;
  decision.returning = returning;
  decision.registered_by = registered_by;
  if (!registered_by.empty() && queue.OnDuty(registered_by)) {
    decision.agent = registered_by;
    decision.reason = "returning";
    decision.waiting = queue.Busy(registered_by);
    decision.message = "returning customer of " + registered_by +
                       (decision.waiting ? ", who is with a customer: they wait" : "");
    return decision;
  }
  decision.reason = "turn";
  for (const std::string& agent : queue.order) {
    if (!queue.Busy(agent)) {
      decision.agent = agent;
      break;
    }
    decision.skipped.push_back(agent);
  }
  if (decision.agent.empty()) {  // everyone is with a customer: whose turn it is, once free
    decision.agent = queue.order.front();
    decision.skipped.clear();
    decision.waiting = true;
  }
  decision.message = decision.agent + "'s turn";
  if (!decision.skipped.empty()) {
    decision.message += " (skipped " + Joined(decision.skipped) + ": with a customer)";
  }
  if (decision.waiting) decision.message += "; everyone is with a customer: they wait";
  if (!registered_by.empty()) {
    decision.message += "; returning customer of " + registered_by + ", who is not on duty";
  } else if (returning) {
    decision.message += "; returning customer";
  }
  return decision;
}

}  // namespace rotation
