#include "tier_fields.h"

#include <iostream>

#include "fieldcrm/application/customer_tiers.h"

namespace fieldcrm::cli {

void AddTierFields(Context& ctx, std::vector<nlohmann::json>& customers, bool required) {
  std::string warning = fieldcrm::AddTierFields(ctx.session(), customers, required);
  if (!warning.empty()) std::cerr << "fieldcrm: warning: " << warning << '\n';
}

}  // namespace fieldcrm::cli
