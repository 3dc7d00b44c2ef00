// The app's static files (tablet/web/*.html, .css, .js), compiled in by cmake/embed.cmake.
#pragma once

#include <vector>

#include "fieldcrm/sync/web_page.h"

namespace fieldcrm::tablet {

const std::vector<sync::EmbeddedAsset>& AppAssets();

}  // namespace fieldcrm::tablet
