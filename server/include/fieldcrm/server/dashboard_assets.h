// The dashboard's static files (server/dashboard/*.html, .css, .js), compiled into the server by
// cmake/embed.cmake.
#pragma once

#include <vector>

#include "fieldcrm/sync/web_page.h"

namespace fieldcrm::sync {

const std::vector<EmbeddedAsset>& DashboardAssets();

}  // namespace fieldcrm::sync
