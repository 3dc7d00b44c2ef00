// What happens around a customer: interactions (visits, calls, follow-up contacts; append-only,
// so they never conflict), follow-up tasks, deals and referrals. Each is its own record that
// points at its customer and syncs through the change log.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

inline const std::vector<std::string> kInteractionTypes = {"visit", "call", "followup"};
inline const std::vector<std::string> kContactChannels = {"phone", "sms", "wechat", "email",
                                                          "in-person"};
inline const std::vector<std::string> kDealStatuses = {"reserved", "signed", "handed-over",
                                                       "cancelled"};

// A deal status from text (Chinese accepted: 认购, 签约, 交房, 退订); throws InvalidInput.
std::string ParseDealStatus(std::string_view text);
// The statuses a deal may move to from `status`: forward along reserved → signed → handed-over,
// or to cancelled before hand-over; never back (a signed contract is not un-signed by a typo).
const std::vector<std::string>& NextDealStatuses(const std::string& status);

struct InteractionInput {
  std::string type = "visit";
  std::optional<int64_t> at_ms{};  // default: now
  std::string note{};
  std::string channel{};  // follow-ups: phone, sms, wechat, email
  std::string outcome{};
  std::optional<int64_t> minutes{};  // time on site, for visits
};

class Activities {
 public:
  explicit Activities(Store& store) : store_(store), customers_(store) {}

  std::string AddInteraction(const std::string& customer, const InteractionInput& input);
  std::string AddTask(const std::string& customer, int64_t due_ms, const std::string& note);
  void CompleteTask(const std::string& task);
  // Open tasks (or only those due before now_ms), earliest due first, with the customer's name.
  std::vector<nlohmann::json> OpenTasks(std::optional<int64_t> overdue_at_ms);
  // A deal on the unit for the customer. Retry-safe: when the customer already has a live (not
  // cancelled) deal on that unit with this price and status, that deal's id is returned and
  // nothing is written (a command repeated after a crash never adds a second deal); with another
  // price or status it throws InvalidInput naming the deal (change it with SetDealStatus).
  std::string AddDeal(const std::string& customer, const std::string& unit, int64_t price,
                      const std::string& status);
  // The customer's live (not cancelled) deal on the unit, if any.
  std::optional<nlohmann::json> LiveDealOn(const std::string& customer, const std::string& unit);
  // Moves a deal along NextDealStatuses; throws InvalidInput for any other move.
  void SetDealStatus(const std::string& deal, const std::string& status);
  std::string AddReferral(const std::string& referrer, const std::string& referee);

  // Records of `kind` attached to the customer or any of its aliases, oldest first (by "at"
  // where the record has one, else by creation).
  std::vector<nlohmann::json> Of(const std::string& customer, const std::string& kind);

 private:
  nlohmann::json Record(const std::string& id, const std::string& kind);

  Store& store_;
  Customers customers_;
};

}  // namespace fieldcrm
