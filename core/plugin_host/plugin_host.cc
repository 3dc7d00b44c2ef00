#include "fieldcrm/plugin_host/plugin_host.h"

#include <algorithm>

#include "fieldcrm/plugin_host/plugin_config.h"

namespace fieldcrm {

PluginHost::PluginHost(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir_, error)) return;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, error)) {
    if (entry.path().extension() == ".so") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      auto plugin = std::make_unique<LoadedPlugin>(file);
      if (LoadedPlugin* same = FirstOfName(plugin->name()); same != nullptr) {
        refused_.push_back({file.string(), plugin->name(), plugin->manifest(), "refused",
                            "another plugin named '" + plugin->name() + "' is already loaded"});
        continue;
      }
      plugins_.push_back(std::move(plugin));
    } catch (const PluginRefused& e) {
      refused_.push_back({file.string(), e.plugin, nullptr, "refused", e.what()});
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

std::vector<PluginState> PluginHost::States() const {
  std::vector<PluginState> states;
  for (const auto& plugin : plugins_) {
    states.push_back({plugin->manifest()["file"], plugin->name(), plugin->manifest(),
                      plugin->usable() ? "loaded" : "disabled", plugin->disabled_reason()});
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
  throw PluginError("no plugin named '" + std::string(name) + "' in " + dir_.string());
}

LoadedPlugin* PluginHost::FirstOfKind(std::string_view kind) const {
  for (LoadedPlugin* plugin : Usable()) {
    if (plugin->kind() == kind) return plugin;
  }
  return nullptr;
}

LoadedPlugin& PluginHost::RequireKind(std::string_view kind) const {
  if (LoadedPlugin* plugin = FirstOfKind(kind)) return *plugin;
  std::string why = "no usable " + std::string(kind) + " plugin in " + dir_.string();
  for (const auto& plugin : plugins_) {
    if (plugin->kind() == kind)
      why += " ('" + plugin->name() + "': " + plugin->disabled_reason() + ")";
  }
  throw PluginError(why);
}

}  // namespace fieldcrm
