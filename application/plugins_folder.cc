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

std::filesystem::path DeliveredPluginsFolder(const std::string& db_path) {
  return db_path + ".plugins";
}

bool AllowUnsignedPlugins(bool option) {
  const char* env = std::getenv("FIELDCRM_ALLOW_UNSIGNED_PLUGINS");
  return option || (env != nullptr && std::string(env) == "1");
}

PluginSources StorePluginSources(const std::string& folder_option, bool allow_unsigned,
                                 Store& store, const std::string& db_path) {
  return {PluginsFolder(folder_option, &store), AllowUnsignedPlugins(allow_unsigned),
          DeliveredPluginsFolder(db_path), store.GetMeta(kHeadOfficeKeyMeta).value_or("")};
}

}  // namespace fieldcrm
