#include "tier_fields.h"

#include <iostream>

#include "fieldcrm/plugin_host/tiers.h"

namespace fieldcrm::cli {

using nlohmann::json;

void AddTierFields(Context& ctx, std::vector<json>& customers, bool required) {
  if (customers.empty()) return;
  PluginHost& host = ctx.Plugins();
  LoadedPlugin* tiering = host.FirstOfKind("tiering");
  try {
    if (tiering == nullptr) {
      host.RequireKind("tiering");  // throws, saying why
    }
    std::optional<std::string> only;
    if (customers.size() == 1) only = customers.front()["id"].get<std::string>();
    auto grades = GradeStore(ctx.Open(), *tiering, ctx.AsOfMs(), only);
    for (json& customer : customers) {
      auto grade = grades.find(customer["id"].get<std::string>());
      if (grade != grades.end()) customer.update(TierJson(grade->second));
    }
  } catch (const PluginError& e) {
    if (required) throw;
    bool tiering_exists = false;
    for (const PluginState& state : host.States()) {
      if (state.manifest.is_object() && state.manifest.value("kind", "") == "tiering") {
        tiering_exists = true;
      }
    }
    if (tiering_exists) std::cerr << "fieldcrm: warning: no tiers shown: " << e.what() << '\n';
  }
}

}  // namespace fieldcrm::cli
