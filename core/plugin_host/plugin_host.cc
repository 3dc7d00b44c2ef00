#include "fieldcrm/plugin_host/plugin_host.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <tuple>

#include "fieldcrm/plugin_host/isolated_plugin.h"
#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/plugin_signature.h"

namespace fieldcrm {

PluginIsolation ParsePluginIsolation(std::string_view text) {
  if (text == "none") return PluginIsolation::kNone;
  if (text == "third-party") return PluginIsolation::kThirdParty;
  if (text == "all") return PluginIsolation::kAll;
  throw InvalidInput("plugin isolation is none, third-party or all, not '" + std::string(text) +
                     "'");
}

namespace {

bool SameFolder(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code error;
  return !b.empty() && std::filesystem::equivalent(a, b, error);
}

}  // namespace

std::unique_ptr<LoadedPlugin> PluginHost::Load(const std::filesystem::path& file) const {
  bool isolated = options_.isolation == PluginIsolation::kAll ||
                  (options_.isolation == PluginIsolation::kThirdParty &&
                   !SameFolder(file.parent_path(), options_.trusted_dir));
  if (!isolated) return std::make_unique<InProcessPlugin>(file);
  return std::make_unique<IsolatedPlugin>(file, options_.host_program, options_.limits);
}

PluginHost::PluginHost(PluginSources sources, PluginHostOptions options)
    : sources_(std::move(sources)), options_(std::move(options)) {
  if (!sources_.delivered.empty()) LoadFolder(sources_.delivered, /*allow_unsigned=*/false);
  LoadFolder(sources_.folder, sources_.allow_unsigned);
}

namespace {

std::string ReadLibrary(const std::filesystem::path& file) {
  std::error_code error;
  auto size = std::filesystem::file_size(file, error);
  if (error) throw PluginError("cannot read it: " + error.message());
  if (size > kMaxPluginLibraryBytes) {
    throw PluginError("it is larger than a signed plugin may be (" +
                      std::to_string(kMaxPluginLibraryBytes >> 20) + " MiB)");
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw PluginError("cannot read it");
  return bytes;
}

}  // namespace

nlohmann::json PluginHost::CheckOrigin(const std::filesystem::path& file,
                                       bool allow_unsigned) const {
  auto refuse = [&](const std::string& reason) {
    return PluginRefused("", "plugin file '" + file.filename().string() + "' refused: " + reason);
  };
  std::filesystem::path signature_file = file.string() + kSignatureSuffix;
  std::error_code error;
  if (!std::filesystem::exists(signature_file, error)) {
    if (allow_unsigned) return nullptr;
    throw refuse(
        "unsigned: only plugins signed by head office load (fieldcrm sync installs them); to "
        "load unsigned plugins you built or copied yourself, ask for it with "
        "--allow-unsigned-plugins");
  }
  if (sources_.head_office_key.empty()) {
    throw refuse(
        "signed, but no head-office key is pinned on this store to check it against (fieldcrm "
        "sync --head-office-key KEY)");
  }
  try {
    std::ifstream in(signature_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ToJson(VerifyRelease(text, ReadLibrary(file), sources_.head_office_key));
  } catch (const PluginError& e) {
    throw refuse(e.what());
  }
}

void PluginHost::LoadFolder(const std::filesystem::path& dir, bool allow_unsigned) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".so") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      nlohmann::json release = CheckOrigin(file, allow_unsigned);
      std::unique_ptr<LoadedPlugin> plugin = Load(file);
      if (!release.is_null() && release["name"] != plugin->name()) {
        throw PluginRefused(plugin->name(), "plugin file '" + file.filename().string() +
                                                "' refused: head office signed it as '" +
                                                release["name"].get<std::string>() + "'");
      }
      plugin->SetRelease(std::move(release));
      if (LoadedPlugin* same = FirstOfName(plugin->name()); same != nullptr) {
        refused_.push_back({file.string(), plugin->name(), plugin->manifest(), "refused",
                            "another plugin named '" + plugin->name() + "' is already loaded (" +
                                same->manifest()["file"].get<std::string>() + ")",
                            "", "", false, nullptr});
        continue;
      }
      plugins_.push_back(std::move(plugin));
    } catch (const PluginRefused& e) {
      refused_.push_back(
          {file.string(), e.plugin, nullptr, "refused", e.what(), "", "", false, nullptr});
    }
  }
}

PluginHost::~PluginHost() {
  while (!plugins_.empty()) plugins_.pop_back();
}

LoadedPlugin* PluginHost::FirstOfName(std::string_view name) const {
  for (const auto& plugin : plugins_) {
    if (plugin->name() == name) return plugin.get();
  }
  return nullptr;
}

void PluginHost::Configure(Store& store) {
  for (const auto& plugin : plugins_) {
    if (!plugin->usable()) continue;
    try {
      ApplyPluginConfig(*plugin, EffectivePluginConfig(store, *plugin));
    } catch (const std::exception& e) {
      plugin->Disable(std::string("its stored config was rejected: ") + e.what());
    }
  }
}

namespace {

// Kinds the host asks a single plugin for (FirstOfKind); every plugin of another kind runs.
bool SingleActiveKind(std::string_view kind) {
  return kind == "tiering" || kind == "survey" || kind == "reception";
}

std::string Named(const LoadedPlugin& plugin) {
  return "'" + plugin.name() + "' (" +
         std::filesystem::path(plugin.manifest()["file"].get<std::string>()).filename().string() +
         ")";
}

}  // namespace

std::pair<std::string, std::string> PluginHost::Role(const LoadedPlugin& plugin) const {
  if (!SingleActiveKind(plugin.kind())) {
    return {"active", "every " + plugin.kind() + " plugin runs"};
  }
  LoadedPlugin* active = FirstOfKind(plugin.kind());
  if (active != &plugin) {
    return {"standby", Named(*active) + " is the active " + plugin.kind() +
                           " plugin (the first usable one by file name)"};
  }
  std::string others;
  for (const auto& other : plugins_) {
    if (other.get() != &plugin && other->kind() == plugin.kind() && other->usable()) {
      others += (others.empty() ? "" : ", ") + Named(*other);
    }
  }
  return {"active", others.empty() ? "the only usable " + plugin.kind() + " plugin"
                                   : "the first usable " + plugin.kind() +
                                         " plugin by file name; standing by: " + others};
}

std::vector<PluginState> PluginHost::States() const {
  std::vector<PluginState> states;
  for (const auto& plugin : plugins_) {
    PluginState state{plugin->manifest()["file"],
                      plugin->name(),
                      plugin->manifest(),
                      plugin->usable() ? "loaded" : "disabled",
                      plugin->disabled_reason(),
                      "",
                      "",
                      plugin->isolated(),
                      plugin->release()};
    if (plugin->usable()) std::tie(state.role, state.role_reason) = Role(*plugin);
    states.push_back(std::move(state));
  }
  states.insert(states.end(), refused_.begin(), refused_.end());
  std::sort(states.begin(), states.end(),
            [](const PluginState& a, const PluginState& b) { return a.file < b.file; });
  return states;
}

std::vector<LoadedPlugin*> PluginHost::Usable() const {
  std::vector<LoadedPlugin*> usable;
  for (const auto& plugin : plugins_) {
    if (plugin->usable()) usable.push_back(plugin.get());
  }
  return usable;
}

LoadedPlugin& PluginHost::Get(std::string_view name) const {
  if (LoadedPlugin* plugin = FirstOfName(name)) {
    if (!plugin->usable()) {
      throw PluginError("plugin '" + std::string(name) +
                        "' is disabled: " + plugin->disabled_reason());
    }
    return *plugin;
  }
  for (const PluginState& state : refused_) {
    if (state.name == name) throw PluginError(state.reason);
  }
  throw PluginError("no plugin named '" + std::string(name) + "' in " + sources_.folder.string());
}

LoadedPlugin* PluginHost::FirstOfKind(std::string_view kind) const {
  for (LoadedPlugin* plugin : Usable()) {
    if (plugin->kind() == kind) return plugin;
  }
  return nullptr;
}

LoadedPlugin& PluginHost::RequireKind(std::string_view kind) const {
  if (LoadedPlugin* plugin = FirstOfKind(kind)) return *plugin;
  std::string why = "no usable " + std::string(kind) + " plugin in " + sources_.folder.string();
  for (const auto& plugin : plugins_) {
    if (plugin->kind() == kind)
      why += " ('" + plugin->name() + "': " + plugin->disabled_reason() + ")";
  }
  throw PluginError(why);
}

}  // namespace fieldcrm
