// The app's static files (tablet/web/*.html, .css, .js), compiled in by cmake/embed.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace fieldcrm::tablet {

struct AppAsset {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view body;
};

const std::vector<AppAsset>& AppAssets();

}  // namespace fieldcrm::tablet
