// Plugin settings as head office might type them (or a broken sync might deliver them), checked
// against the real built-in plugins: the first byte picks the plugin, the rest is the settings
// JSON. The settings are overlaid on the plugin's defaults, validated against its config_schema
// and handed to the plugin; each is refused with InvalidInput or accepted, and a plugin never
// throws anything else (which would disable it on a tablet).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/plugin_library.h"

namespace {

std::vector<std::unique_ptr<fieldcrm::LoadedPlugin>>& BuiltinPlugins() {
  static std::vector<std::unique_ptr<fieldcrm::LoadedPlugin>> plugins = [] {
    std::vector<std::unique_ptr<fieldcrm::LoadedPlugin>> loaded;
    for (const char* name : {"tiering", "referral", "surveys", "alerts"}) {
      loaded.push_back(std::make_unique<fieldcrm::InProcessPlugin>(
          std::string(FIELDCRM_BINARY_DIR "/plugins/") + name + ".so"));
    }
    return loaded;
  }();
  return plugins;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto& plugins = BuiltinPlugins();
  fieldcrm::LoadedPlugin& plugin = *plugins[data[0] % plugins.size()];
  nlohmann::json settings = nlohmann::json::parse(data + 1, data + size, nullptr, false);
  if (settings.is_discarded()) return 0;
  nlohmann::json effective = plugin.manifest()["default_config"];
  effective.merge_patch(settings);
  try {
    fieldcrm::ApplyPluginConfig(plugin, effective);
  } catch (const fieldcrm::InvalidInput&) {
  }
  // Back to the defaults, so that every input starts from the same plugin state.
  fieldcrm::ApplyPluginConfig(plugin, plugin.manifest()["default_config"]);
  return 0;
}
