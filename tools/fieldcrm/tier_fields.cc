#include "tier_fields.h"

#include <iostream>
#include <set>
#include <string>

#include "fieldcrm/application/customer_tiers.h"

namespace fieldcrm::cli {

void AddTierFields(Context& ctx, std::vector<nlohmann::json>& customers, bool required) {
  std::string warning = fieldcrm::AddTierFields(ctx.session(), customers, required);
  // A listing grades window by window: its reader needs each reason once, not once a window.
  static std::set<std::string> warned;
  if (!warning.empty() && warned.insert(warning).second) {
    std::cerr << "fieldcrm: warning: " << warning << '\n';
  }
}

}  // namespace fieldcrm::cli
