#include "fieldcrm/application/plugins_folder.h"

#include <cstdlib>

namespace fieldcrm {

std::filesystem::path PluginsFolder(const std::string& option, Store* store) {
  if (!option.empty()) return option;
  if (store != nullptr) {
    if (auto stored = store->GetMeta(kPluginsDirMeta); stored && !stored->empty()) return *stored;
  }
  if (const char* env = std::getenv("FIELDCRM_PLUGINS"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    auto installed = exe.parent_path().parent_path() / "lib" / "fieldcrm" / "plugins";
    if (std::filesystem::is_directory(installed, error)) return installed;
  }
  return FIELDCRM_BUILTIN_PLUGIN_DIR;
}

}  // namespace fieldcrm
