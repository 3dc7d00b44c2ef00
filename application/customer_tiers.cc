#include "fieldcrm/application/customer_tiers.h"

#include <algorithm>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/tiers.h"

namespace fieldcrm {

using nlohmann::json;

std::string AddTierFields(Session& session, std::vector<json>& customers, bool required) {
  if (customers.empty()) return "";
  PluginHost& host = session.plugins();
  try {
    LoadedPlugin& tiering = host.RequireKind("tiering");
    // One customer's bundle, or the facts of the ids the documents span (a listing's window).
    std::optional<std::string> only;
    std::optional<IdRange> ids;
    if (customers.size() == 1) {
      only = customers.front()["id"].get<std::string>();
    } else {
      auto [first, last] =
          std::minmax_element(customers.begin(), customers.end(),
                              [](const json& a, const json& b) { return a["id"] < b["id"]; });
      ids = IdRange{(*first)["id"].get<std::string>(), (*last)["id"].get<std::string>()};
    }
    auto grades = GradeStore(session.store(), tiering, session.AsOfMs(), only, ids);
    for (json& customer : customers) {
      auto grade = grades.find(customer["id"].get<std::string>());
      if (grade != grades.end()) customer.update(TierJson(grade->second));
    }
  } catch (const PluginError& e) {
    if (required) throw;
    for (const PluginState& state : host.States()) {
      if (state.manifest.is_object() && state.manifest.value("kind", "") == "tiering") {
        return std::string("no tiers shown: ") + e.what();
      }
    }
  }
  return "";
}

}  // namespace fieldcrm
