// After-sales service cases: complaints (投诉) and repairs (报修), each a record of its own that
// hangs under its customer and syncs and merges through the change log like a deal.
//
// A case moves forward through steps, each stamped in a field of its own (`<step>_at`, with
// `<step>_by`, the agent who recorded it):
//   complaint: opened → answered → resolved or closed (closed: ended without a resolution)
//   repair:    opened → attended (on site) → fixed
// The status is never stored: it is the furthest step stamped (CaseStatus), so two tablets that
// move one case concurrently converge on the same status whatever order their changes merge in.
// A complaint resolved or closed without an answer counts as answered then, a repair fixed
// without a visit as attended then (the clocks stop); the skipped step is not stamped, so that a
// real answer recorded offline on another tablet is never overwritten by the implied one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

inline const std::vector<std::string> kServiceCaseKinds = {"complaint", "repair"};
inline const std::vector<std::string> kServiceChannels = {"phone",     "sms",    "wechat", "email",
                                                          "in-person", "online", "letter"};
inline const std::vector<std::string> kSeverities = {"low", "medium", "high", "urgent"};
// Every step of each kind, in order; "opened" is the first.
inline const std::vector<std::string> kComplaintSteps = {"opened", "answered", "resolved",
                                                         "closed"};
inline const std::vector<std::string> kRepairSteps = {"opened", "attended", "fixed"};

// Satisfaction at closing: 1 (very dissatisfied) to 5 (very satisfied), as the survey cards ask.
inline constexpr int64_t kMinSatisfaction = 1;
inline constexpr int64_t kMaxSatisfaction = 5;

struct NewServiceCase {
  std::string kind;                 // complaint or repair
  std::optional<int64_t> at_ms{};   // when it came in; default now
  std::string channel{};            // how it came in (phone, wechat, ... ; 电话/微信 accepted)
  std::string category{};           // what it is about (free text: 物业, 漏水, ...); required
  std::string severity = "medium";  // low, medium, high, urgent (低/中/高/紧急)
  std::string note{};               // the customer's words
  std::string handler{};            // who handles it; default the tablet's agent
  std::string unit{};               // repairs: the flat (3-1502)
};

struct ServiceCaseStep {
  std::string step;                       // answered, resolved, closed / attended, fixed
  std::optional<int64_t> at_ms{};         // default now
  std::string note{};                     // the answer, the resolution, what was done
  std::string handler{};                  // hands the case over to someone else
  std::optional<int64_t> satisfaction{};  // at resolved, closed, fixed
};

// The furthest step stamped on a case document ("opened" when none is).
std::string CaseStatus(const nlohmann::json& doc);
// Whether a case with this status still waits for something (not resolved, closed or fixed).
bool CaseIsOpen(const std::string& status);

class ServiceCases {
 public:
  explicit ServiceCases(Store& store) : store_(store) {}

  // Opens a case for the customer (any id of theirs); returns its id. Throws InvalidInput for a
  // bad kind, channel, severity or a missing category, NotFound for an unknown customer.
  std::string Open(const std::string& customer, const NewServiceCase& input);
  // Stamps the next step on case `id` of `kind` (its status is then that step). Throws
  // NotFound for no such case and InvalidInput for a step the case cannot take now (naming the
  // steps it can), a satisfaction outside 1–5 or one given before the case ends.
  void Advance(const std::string& kind, const std::string& id, const ServiceCaseStep& step);
  // Cases of `kind` of live customers, oldest first, each with "status" and "customer_name";
  // only those still open when open_only.
  std::vector<nlohmann::json> List(const std::string& kind, bool open_only);

 private:
  Store& store_;
};

}  // namespace fieldcrm
