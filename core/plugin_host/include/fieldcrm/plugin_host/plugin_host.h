// The plugin host: loads every plugin in its folders, keeps the refused ones with their reasons,
// and hands each loaded plugin its config from the store. A broken plugin never stops the host.
// Nothing is loaded (no library code runs) before its origin is checked: a library with a
// signature file beside it (NAME.so.sig, plugin_signature.h) loads only when the signature
// verifies against the pinned head-office key and the bytes are the signed ones; a library
// without one loads only from the local folder and only when the user asked for unsigned plugins
// (PluginSources::allow_unsigned). Head office's delivered folder is read first, so its version of
// a plugin takes the name (a local file of the same name is refused) and leads its kind.
// Kinds the host asks one plugin for (tiering, survey, reception) have one active plugin: the first
// usable one by file name; the others of that kind stand by (and take over if it is disabled).
// Plugins of every other kind (alerts, referral...) all run. Where a plugin's code runs is the
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

// Where plugins come from and what they must prove.
struct PluginSources {
  std::filesystem::path folder;     // the local plugins folder (PluginsFolder)
  bool allow_unsigned = false;      // load the local folder's libraries that carry no signature
  std::filesystem::path delivered;  // head office's releases installed by sync; "" = none
  std::string head_office_key;      // hex Ed25519 public key signatures must verify against
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
  nlohmann::json release;   // signed plugins: what head office vouched for (version, publisher)
};

class PluginHost {
 public:
  // Loads every *.so of the delivered folder, then of the local one, in file-name order; a
  // missing folder simply has no plugins. options: how their code runs (in process or isolated).
  explicit PluginHost(PluginSources sources, PluginHostOptions options = {});
  // Destroys the plugins, then unloads their libraries, newest first.
  ~PluginHost();

  // Configures every loaded plugin from the store's synced plugin_config records; a plugin that
  // rejects its config is disabled (with the reason), the others carry on.
  void Configure(Store& store);

  // The local folder.
  const std::filesystem::path& dir() const { return sources_.folder; }
  const PluginSources& sources() const { return sources_; }
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
  void LoadFolder(const std::filesystem::path& dir, bool allow_unsigned);
  // The release a signed file vouches for (json null: unsigned and allowed); throws PluginRefused.
  nlohmann::json CheckOrigin(const std::filesystem::path& file, bool allow_unsigned) const;
  LoadedPlugin* FirstOfName(std::string_view name) const;
  // A usable plugin's role and why (PluginState::role).
  std::pair<std::string, std::string> Role(const LoadedPlugin& plugin) const;
  std::unique_ptr<LoadedPlugin> Load(const std::filesystem::path& file) const;

  PluginSources sources_;
  PluginHostOptions options_;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<PluginState> refused_;
};

}  // namespace fieldcrm
