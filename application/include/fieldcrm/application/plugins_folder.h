// Where plugins and the plugin-host program are found. Which folder the plugins come from, for the
// fieldcrm CLI and fieldcrm-server alike: the command's --plugins DIR, else the store's own setting
// (the CLI's `plugins dir`), else $FIELDCRM_PLUGINS, else the folder installed next to the binary
// (../lib/fieldcrm/plugins), else the build tree's built-in plugins.
#pragma once

#include <filesystem>
#include <string>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

inline constexpr const char* kPluginsDirMeta = "plugins_dir";

// store: whose setting to consult; nullptr skips that step (the server has no such setting).
std::filesystem::path PluginsFolder(const std::string& option, Store* store);

// The folder of the plugins fieldcrm ships (trusted): installed next to the binary, else the build
// tree's.
std::filesystem::path BuiltinPluginsFolder();

// How a program runs its plugins: the isolation policy and limits given, trusting the built-in
// folder, with fieldcrm-plugin-host from next to the running program (else the build tree's).
PluginHostOptions PluginRunOptions(PluginIsolation isolation, const PluginLimits& limits);

}  // namespace fieldcrm
