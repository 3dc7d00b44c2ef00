#include "fieldcrm/model/rewards.h"

#include <algorithm>
#include <map>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/storage/records.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

std::string NameOf(Store& store, const std::string& root) {
  try {
    return Customers(store).Get(root).value("name", "");
  } catch (const std::exception&) {
    return "(deleted)";
  }
}

}  // namespace

std::vector<json> RewardHistory(Store& store, const std::optional<std::string>& referrer) {
  std::optional<std::string> only;
  if (referrer) only = Customers(store).Resolve(*referrer);
  std::vector<json> out;
  for (json& reward : LiveRecords(store, "reward")) {
    std::string from = Customers(store).RootOf(reward.value("referrer", ""));
    if (only && from != *only) continue;
    reward["referrer"] = from;
    reward["referrer_name"] = NameOf(store, from);
    reward["referee_name"] = NameOf(store, Customers(store).RootOf(reward.value("referee", "")));
    out.push_back(std::move(reward));
  }
  std::stable_sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return a.value("granted_at", "") < b.value("granted_at", "");
  });
  return out;
}

std::vector<json> ReferralLeaderboard(Store& store) {
  std::map<std::string, json> rows;
  auto row = [&](const std::string& referrer) -> json& {
    auto [it, fresh] = rows.try_emplace(referrer);
    if (fresh) {
      it->second = {{"referrer", referrer}, {"name", NameOf(store, referrer)},
                    {"referrals", 0},       {"rewards", 0},
                    {"points", 0},          {"benefits", json::array()}};
    }
    return it->second;
  };
  for (const json& referral : LiveRecords(store, "referral")) {
    json& r = row(Customers(store).RootOf(referral.value("referrer", "")));
    r["referrals"] = r["referrals"].get<int>() + 1;
  }
  for (const json& reward : RewardHistory(store)) {
    json& r = row(reward["referrer"]);
    r["rewards"] = r["rewards"].get<int>() + 1;
    r["points"] = r["points"].get<int64_t>() + reward.value("points", int64_t{0});
    if (reward.contains("benefit")) r["benefits"].push_back(reward["benefit"]);
  }
  std::vector<json> out;
  for (auto& [id, r] : rows) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return std::pair(a["points"].get<int64_t>(), a["referrals"].get<int>()) >
           std::pair(b["points"].get<int64_t>(), b["referrals"].get<int>());
  });
  return out;
}

}  // namespace fieldcrm
