// The dashboard's static files (server/dashboard/*.html, .css, .js), compiled into the server by
// cmake/embed.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace fieldcrm::sync {

struct DashboardAsset {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view body;
};

const std::vector<DashboardAsset>& DashboardAssets();

}  // namespace fieldcrm::sync
