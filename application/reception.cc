#include "fieldcrm/application/reception.h"

#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/model/phone.h"
#include "fieldcrm/plugin_host/plugin_call.h"

namespace fieldcrm {

using nlohmann::json;

Reception::Reception(Session& session)
    : session_(session), plugin_(session.plugins().RequireKind("reception")) {}

std::string Reception::LocalDay(int64_t unix_ms) {
  return FormatLocalTime(unix_ms).substr(0, 10);  // "2026-06-15 09:10 +08:00"
}

json Reception::Call(const char* function, json input, const std::optional<std::string>& day) {
  int64_t now = session_.AsOfMs();
  input["day"] = day ? ParseDate("date", *day) : LocalDay(now);
  input["at"] = FormatTime(now);
  return json::parse(CallWithStore(session_.store(), plugin_, function, input.dump()).result);
}

json Reception::SetDuty(const std::vector<std::string>& agents) {
  return Call("duty", {{"agents", agents}});
}

WalkInOutcome Reception::Receive(const WalkIn& walk_in) {
  // Checked before the plugin records the walk-in, so bad input leaves nothing behind.
  FieldTexts fields = {{"phone", walk_in.phone}};
  if (!walk_in.name.empty()) fields.emplace_back("name", walk_in.name);
  if (!walk_in.source.empty()) fields.emplace_back("source", walk_in.source);
  json source;
  for (const auto& [field, value] : Customers::Parse(fields)) {
    if (field == "source") source = value;
  }
  std::string phone = NormalizePhone(walk_in.phone);
  // The walk-in's record and the customer it registers are one transaction: a failure between
  // them leaves neither, so the receptionist's retry writes each once.
  Transaction txn = session_.store().Transact();
  WalkInOutcome outcome;
  outcome.decision = Call(
      "walkin",
      {{"phone", phone}, {"name", walk_in.name}, {"source", source.is_string() ? source : ""}});
  outcome.customer = outcome.decision.value("customer", "");
  if (outcome.customer.empty() && !walk_in.name.empty()) {
    fields.emplace_back("agent", outcome.decision.value("agent", ""));
    WriteOutcome added = session_.AddCustomer(fields);
    outcome.customer = added.id;
    outcome.registered = !added.existed;
    LinkToCustomer(phone, added.id);
  } else if (outcome.customer.empty()) {
    outcome.warnings.push_back(
        "no name given: the walk-in is logged but not registered as a customer");
  }
  txn.Commit();
  return outcome;
}

void Reception::LinkToCustomer(const std::string& phone, const std::string& customer) {
  for (const json& record : LiveRecords(session_.store(), plugin_.kind())) {
    if (record.value("phone", "") != phone || record.contains("customer")) continue;
    session_.store().Write(plugin_.kind(), record["id"], {{"customer", customer}});
  }
}

json Reception::Done(const std::string& agent) {
  return Call("done", {{"agent", agent}});
}

json Reception::Queue(const std::optional<std::string>& day) {
  return Call("queue", json::object(), day);
}

json Reception::Log(const std::optional<std::string>& day) {
  return Call("log", json::object(), day);
}

}  // namespace fieldcrm
