#include "fieldcrm/application/plugins_folder.h"

#include <cstdlib>

namespace fieldcrm {

std::filesystem::path PluginsFolder(const std::string& option, Store* store) {
  if (!option.empty()) return option;
  if (store != nullptr) {
    if (auto stored = store->GetMeta(kPluginsDirMeta); stored && !stored->empty()) return *stored;
  }
  if (const char* env = std::getenv("FIELDCRM_PLUGINS"); env != nullptr && *env != '\0') return env;
  return BuiltinPluginsFolder();
}

namespace {

std::filesystem::path ProgramFolder() {
  std::error_code error;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

std::filesystem::path BuiltinPluginsFolder() {
  std::error_code error;
  auto installed = ProgramFolder().parent_path() / "lib" / "fieldcrm" / "plugins";
  if (std::filesystem::is_directory(installed, error)) return installed;
  return FIELDCRM_BUILTIN_PLUGIN_DIR;
}

PluginHostOptions PluginRunOptions(PluginIsolation isolation, const PluginLimits& limits) {
  std::error_code error;
  std::filesystem::path program = ProgramFolder() / "fieldcrm-plugin-host";
  if (!std::filesystem::is_regular_file(program, error)) program = FIELDCRM_BUILT_PLUGIN_HOST;
  return {isolation, BuiltinPluginsFolder(), program, limits};
}

std::filesystem::path DeliveredPluginsFolder(const std::string& db_path) {
  return db_path + ".plugins";
}

bool AllowUnsignedPlugins(const std::filesystem::path& folder, bool option) {
  const char* env = std::getenv("FIELDCRM_ALLOW_UNSIGNED_PLUGINS");
  std::error_code error;
  return option || (env != nullptr && std::string(env) == "1") ||
         std::filesystem::equivalent(folder, BuiltinPluginsFolder(), error);
}

PluginSources StorePluginSources(const std::string& folder_option, bool allow_unsigned,
                                 Store& store, const std::string& db_path) {
  std::filesystem::path folder = PluginsFolder(folder_option, &store);
  return {folder, AllowUnsignedPlugins(folder, allow_unsigned), DeliveredPluginsFolder(db_path),
          store.GetMeta(kHeadOfficeKeyMeta).value_or("")};
}

}  // namespace fieldcrm
