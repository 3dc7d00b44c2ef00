// The walk-in queue of one day at a sales office (来访轮流接待), computed from that day's
// reception records alone, so every reception tablet holding the same records shows the same
// queue: the latest duty list (by time, then id) gives the order; each walk-in received in turn
// sends its agent to the back; a walk-in makes its agent busy until a "done" record frees them.
// An agent who is busy is skipped and keeps their place.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rotation {

// The state of the queue after a day's records.
struct Queue {
  std::vector<std::string> order;  // on duty, whose turn first
  std::vector<std::string> busy;   // with a customer now, in the order they started
  bool OnDuty(const std::string& agent) const;
  bool Busy(const std::string& agent) const;
};

// Replays records (reception records of one day, any order) into the queue. A walk-in received
// in turn ("reason": "turn") sends its agent to the back; returning customers go to their agent
// without using a turn unless returning_uses_turn.
Queue Replay(nlohmann::json records, bool returning_uses_turn);

// Who receives the next walk-in and why.
struct Decision {
  std::string agent;
  std::string reason;                // "turn" or "returning"
  bool returning = false;            // registered before (a customer, or an earlier walk-in)
  std::string registered_by;         // returning: who registered them first
  std::vector<std::string> skipped;  // busy agents passed over, keeping their place
  bool waiting = false;              // the receiving agent is with a customer: they wait
  std::string message;               // the why, for the receptionist
};

// registered_by: the agent who registered the customer first, "" for a new customer.
// Throws std::invalid_argument when nobody is on duty.
Decision Decide(const Queue& queue, bool returning, const std::string& registered_by);

}  // namespace rotation
