// Where plugins and the plugin-host program are found, for the fieldcrm CLI and fieldcrm-server
// alike. The local folder: the command's --plugins DIR, else the store's own setting (the CLI's
// `plugins dir`), else $FIELDCRM_PLUGINS, else the folder installed next to the binary
// (../lib/fieldcrm/plugins), else the build tree's built-in plugins. Its unsigned libraries load
// only when asked for (--allow-unsigned-plugins or FIELDCRM_ALLOW_UNSIGNED_PLUGINS=1).
// The delivered folder: head office's signed releases, installed by sync next to the store
// (STORE.plugins/), always checked against the head-office key pinned on the store.
#pragma once

#include <filesystem>
#include <string>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

inline constexpr const char* kPluginsDirMeta = "plugins_dir";
// The head-office public key signatures must verify against (hex), pinned at set-up.
inline constexpr const char* kHeadOfficeKeyMeta = "plugins.head_office_key";

// store: whose setting to consult; nullptr skips that step (the server has no such setting).
std::filesystem::path PluginsFolder(const std::string& option, Store* store);
// Where sync installs head office's releases for the store at db_path.
std::filesystem::path DeliveredPluginsFolder(const std::string& db_path);
// Whether the local folder's unsigned plugins load: the plugins shipped with the program
// (BuiltinPluginsFolder) do, as the program itself does; any other folder's only on the user's
// explicit request: the option, or FIELDCRM_ALLOW_UNSIGNED_PLUGINS=1 in the environment (for
// scripts and test suites).
bool AllowUnsignedPlugins(const std::filesystem::path& folder, bool option);
// Both folders, the key pinned on store and whether unsigned local libraries may load.
PluginSources StorePluginSources(const std::string& folder_option, bool allow_unsigned,
                                 Store& store, const std::string& db_path);

// The folder of the plugins fieldcrm ships (trusted): installed next to the binary, else the build
// tree's.
std::filesystem::path BuiltinPluginsFolder();

// How a program runs its plugins: the isolation policy and limits given, trusting the built-in
// folder, with fieldcrm-plugin-host from next to the running program (else the build tree's).
PluginHostOptions PluginRunOptions(PluginIsolation isolation, const PluginLimits& limits);

}  // namespace fieldcrm
