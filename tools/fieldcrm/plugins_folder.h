// Which folder the plugins come from: --plugins DIR, else the store's own setting (`plugins dir`),
// else $FIELDCRM_PLUGINS, else the folder installed next to the binary (../lib/fieldcrm/plugins),
// else the build tree's built-in plugins.
#pragma once

#include <filesystem>
#include <string>

#include "core/store.h"

namespace fieldcrm::cli {

inline constexpr const char* kPluginsDirMeta = "plugins_dir";

std::filesystem::path PluginsFolder(const std::string& option, Store& store);

}  // namespace fieldcrm::cli
