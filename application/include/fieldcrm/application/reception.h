// Walk-in reception at a sales office (来访轮流接待) through the store's reception plugin (kind
// "reception"; the built-in is plugins/rotation): the duty list, who receives the next walk-in
// and why, an agent done with a customer, the queue, and the day's log for the evening meeting
// (夕会). The plugin decides and writes its reception records (plugin API 2.3, CallWithStore);
// this layer supplies "now" (the session's as-of time), the office's calendar day (local time),
// the normalised phone, and registers a new walk-in as a customer of the agent who received them,
// in the transaction that records the walk-in, linking the visitor's walk-in records to the new
// customer (their `customer` field: they then hang under the customer, so erasing the customer
// erases them too, docs/privacy.md). Works offline: everything is on the tablet's store and syncs
// like every record.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/application/session.h"

namespace fieldcrm {

struct WalkIn {
  std::string phone;
  std::string name;    // registers a new customer with it; without one nobody is registered
  std::string source;  // where they heard of the project (sign, referral, online...)
};

struct WalkInOutcome {
  // The plugin's answer: agent, reason ("turn" | "returning"), returning, registered_by,
  // skipped (busy agents passed over), waiting, customer, message.
  nlohmann::json decision;
  std::string customer;     // the customer's id ("" when not registered)
  bool registered = false;  // a new customer was registered for the agent
  std::vector<std::string> warnings;
};

class Reception {
 public:
  // Throws PluginError when no reception plugin is usable.
  explicit Reception(Session& session);

  // Today's duty list, in the order agents take turns; returns the queue {order, busy}.
  nlohmann::json SetDuty(const std::vector<std::string>& agents);
  // Who receives this walk-in, recorded with the customer it registers in one transaction (both
  // or neither). InvalidInput for a bad phone or nobody on duty.
  WalkInOutcome Receive(const WalkIn& walk_in);
  // The agent finished with their customer; returns the queue. InvalidInput when not busy.
  nlohmann::json Done(const std::string& agent);
  // The queue of day (default today).
  nlohmann::json Queue(const std::optional<std::string>& day = {});
  // The evening meeting's log of day (default today; any date ParseDate reads).
  nlohmann::json Log(const std::optional<std::string>& day = {});

  // The calendar date (YYYY-MM-DD) of unix_ms in the local time zone: the office's day.
  static std::string LocalDay(int64_t unix_ms);

 private:
  // Calls function with day and the current time added to input.
  nlohmann::json Call(const char* function, nlohmann::json input,
                      const std::optional<std::string>& day = {});
  // Links the plugin's records of this phone under no customer (this walk-in, and earlier ones
  // who gave no name) to the customer the visitor became.
  void LinkToCustomer(const std::string& phone, const std::string& customer);

  Session& session_;
  LoadedPlugin& plugin_;
};

}  // namespace fieldcrm
