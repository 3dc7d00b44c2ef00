#include "fieldcrm/plugin_host/plugin_library.h"

#include <algorithm>
#include <regex>

#include "fieldcrm/plugin_host/json_schema.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// Kinds holding the synced facts themselves: plugins derive records from them, never rewrite them.
const std::vector<std::string> kCoreKinds = {"customer", "interaction", "task",
                                             "deal",     "referral",    "plugin_config"};

}  // namespace

LoadedPlugin::LoadedPlugin(const std::filesystem::path& file) : file_(file) {
  auto refuse = [&](const std::string& reason) {
    return PluginRefused(name_, Describe() + " refused: " + reason);
  };
  try {
    library_.load(boost::dll::fs::path(file.string()),
                  boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw refuse(std::string("not a loadable shared library (") + e.what() + ")");
  }
  if (!library_.has(FIELDCRM_PLUGIN_ENTRY_SYMBOL)) {
    throw refuse("not a fieldcrm plugin: no '" FIELDCRM_PLUGIN_ENTRY_SYMBOL "' symbol");
  }
  auto& entry_point = library_.get<const sdk::PluginEntry*()>(FIELDCRM_PLUGIN_ENTRY_SYMBOL);
  try {
    entry_ = entry_point();
  } catch (...) {
    throw refuse("its entry point threw");
  }
  if (entry_ == nullptr) throw refuse("its entry point returned nothing");
  if (entry_->api_version != sdk::kApiVersion) {
    throw refuse("built for plugin API version " + std::to_string(entry_->api_version) +
                 ", this fieldcrm supports version " + std::to_string(sdk::kApiVersion) +
                 ": rebuild it against this SDK");
  }
  try {
    ReadManifest(entry_->manifest);
  } catch (const std::exception& e) {
    throw refuse(std::string("bad manifest: ") + e.what());
  }
  try {
    instance_ = entry_->create();
  } catch (const std::exception& e) {
    throw refuse(std::string("create threw: ") + e.what());
  } catch (...) {
    throw refuse("create threw a non-standard exception");
  }
  if (instance_ == nullptr) throw refuse("create returned nothing");
}

LoadedPlugin::~LoadedPlugin() {
  if (instance_ != nullptr) {
    try {
      entry_->destroy(instance_);
    } catch (...) {  // a destructor must not throw; the library is unloaded regardless
    }
  }
}

std::string LoadedPlugin::Describe() const {
  std::string where = file_.filename().string();
  return name_.empty() ? "plugin file '" + where + "'" : "plugin '" + name_ + "' (" + where + ")";
}

void LoadedPlugin::ReadManifest(const char* text) {
  if (text == nullptr) throw InvalidInput("no manifest");
  json manifest = json::parse(text);  // json::parse_error names the position
  if (!manifest.is_object()) throw InvalidInput("the manifest is not a JSON object");
  for (const char* field : {"name", "version", "kind", "description"}) {
    if (!manifest.contains(field) || !manifest[field].is_string() ||
        manifest[field].get<std::string>().empty()) {
      throw InvalidInput(std::string("manifest field '") + field + "' must be a non-empty string");
    }
  }
  std::string name = manifest["name"];
  if (!std::regex_match(name, std::regex("[a-z][a-z0-9-]{0,63}"))) {
    throw InvalidInput("plugin name '" + name + "' must be lowercase letters, digits and '-'");
  }
  if (!manifest.contains("config_schema")) manifest["config_schema"] = {{"type", "object"}};
  if (!manifest.contains("default_config")) manifest["default_config"] = json::object();
  if (!manifest.contains("writes")) manifest["writes"] = json::array();
  if (!manifest["config_schema"].is_object() || !manifest["default_config"].is_object()) {
    throw InvalidInput("config_schema and default_config must be JSON objects");
  }
  ValidateJsonSchema(manifest["config_schema"], manifest["default_config"], "default_config");
  for (const json& kind : manifest["writes"]) {
    if (!kind.is_string() || kind.get<std::string>().empty()) {
      throw InvalidInput("'writes' must list record kinds");
    }
    if (std::find(kCoreKinds.begin(), kCoreKinds.end(), kind) != kCoreKinds.end()) {
      throw InvalidInput("plugins may not write '" + kind.get<std::string>() + "' records");
    }
  }
  manifest["api_version"] = entry_->api_version;
  manifest["file"] = file_.string();
  name_ = name;
  kind_ = manifest["kind"];
  manifest_ = std::move(manifest);
}

bool LoadedPlugin::MayWrite(std::string_view kind) const {
  const json& writes = manifest_["writes"];
  return std::find(writes.begin(), writes.end(), kind) != writes.end();
}

PluginError LoadedPlugin::Disable(const std::string& reason) {
  if (disabled_reason_.empty()) disabled_reason_ = reason;
  return PluginError(Describe() + " disabled: " + reason);
}

}  // namespace fieldcrm
