// The plugin host: loads every plugin in a folder, keeps the refused ones with their reasons,
// and hands each loaded plugin its config from the store. A broken plugin never stops the host.
// Kinds the host asks one plugin for (tiering, survey) have one active plugin: the first usable
// one by file name; the others of that kind stand by (and take over if it is disabled). Plugins
// of every other kind (alerts, referral...) all run. Where a plugin's code runs is the
// PluginIsolation policy: in this process, or in a supervised plugin-host process of its own
// (isolated_plugin.h) so that its crash, hang or runaway memory cannot take this process down.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/plugin_host/plugin_process.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

enum class PluginIsolation {
  kNone,        // every plugin in this process (fast, trusting)
  kThirdParty,  // plugins outside trusted_dir (the built-ins' folder) in plugin-host processes
  kAll,         // every plugin in a plugin-host process
};

// Parses "none", "third-party" or "all"; InvalidInput otherwise.
PluginIsolation ParsePluginIsolation(std::string_view text);

struct PluginHostOptions {
  PluginIsolation isolation = PluginIsolation::kNone;
  std::filesystem::path trusted_dir;   // kThirdParty: plugins in this folder run in-process
  std::filesystem::path host_program;  // fieldcrm-plugin-host, for isolated plugins
  PluginLimits limits;                 // for isolated plugins
};

// What `plugins list` shows for one file.
struct PluginState {
  std::string file;
  std::string name;         // empty when the file was refused before its manifest was read
  nlohmann::json manifest;  // null when refused before it was read
  std::string state;        // "loaded", "disabled" or "refused"
  std::string reason;       // why not loaded
  std::string role;         // loaded plugins: "active" or "standby"
  std::string role_reason;  // why
  bool isolated = false;    // loaded plugins: runs in a plugin-host process of its own
};

class PluginHost {
 public:
  // Loads every *.so in dir in file-name order; a missing dir simply has no plugins.
  explicit PluginHost(std::filesystem::path dir, PluginHostOptions options = {});
  // Destroys the plugins, then unloads their libraries, newest first.
  ~PluginHost();

  // Configures every loaded plugin from the store's synced plugin_config records; a plugin that
  // rejects its config is disabled (with the reason), the others carry on.
  void Configure(Store& store);

  const std::filesystem::path& dir() const { return dir_; }
  std::vector<PluginState> States() const;
  // Usable plugins in load order.
  std::vector<LoadedPlugin*> Usable() const;
  // The usable plugin of that name; throws PluginError saying why it is not available.
  LoadedPlugin& Get(std::string_view name) const;
  // The first usable plugin of that kind ("tiering", "survey"...), or nullptr.
  LoadedPlugin* FirstOfKind(std::string_view kind) const;
  // Like FirstOfKind but throws PluginError explaining what is missing.
  LoadedPlugin& RequireKind(std::string_view kind) const;

 private:
  LoadedPlugin* FirstOfName(std::string_view name) const;
  // A usable plugin's role and why (PluginState::role).
  std::pair<std::string, std::string> Role(const LoadedPlugin& plugin) const;
  std::unique_ptr<LoadedPlugin> Load(const std::filesystem::path& file) const;

  std::filesystem::path dir_;
  PluginHostOptions options_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<PluginState> refused_;
};

}  // namespace fieldcrm
