#include "fieldcrm/plugin_host/plugin_config.h"

#include "fieldcrm/plugin_checks.h"
#include "fieldcrm/storage/name_uuid.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

std::string ConfigRecordId(const std::string& plugin) {
  return NameUuid("plugin_config/" + plugin);
}

namespace {

json Overlay(const LoadedPlugin& plugin, const json& settings) {
  json effective = plugin.manifest()["default_config"];
  effective.merge_patch(settings);
  return effective;
}

}  // namespace

json StoredPluginConfig(Store& store, const std::string& plugin) {
  auto settings = StoreDatabase(store).QueryText(
      "SELECT json_extract(doc, '$.config') FROM records WHERE id = ? AND kind = 'plugin_config' "
      "AND deleted = 0",
      ConfigRecordId(plugin));
  return settings ? json::parse(*settings) : json::object();
}

namespace {

// Rules head office signed with the release; a synced plugin_config record carries no signature,
// so it never overrides them.
bool HasSignedConfig(const LoadedPlugin& plugin) {
  return plugin.release().is_object() && plugin.release().contains("config");
}

}  // namespace

json EffectivePluginConfig(Store& store, const LoadedPlugin& plugin) {
  if (HasSignedConfig(plugin)) return Overlay(plugin, plugin.release()["config"]);
  return Overlay(plugin, StoredPluginConfig(store, plugin.name()));
}

namespace {

void CheckSchema(const LoadedPlugin& plugin, const json& effective) {
  try {
    sdk::checks::ValidateJsonSchema(plugin.manifest()["config_schema"], effective);
  } catch (const std::invalid_argument& e) {
    throw InvalidInput("config for plugin '" + plugin.name() + "' is invalid at " + e.what());
  }
}

}  // namespace

void ApplyPluginConfig(LoadedPlugin& plugin, const json& effective) {
  CheckSchema(plugin, effective);
  plugin.Configure(effective.dump());
}

json SetPluginConfig(Store& store, LoadedPlugin& plugin, const json& settings) {
  if (!settings.is_object()) throw InvalidInput("plugin config must be a JSON object");
  if (HasSignedConfig(plugin)) {
    throw InvalidInput("plugin '" + plugin.name() +
                       "' runs with the rules head office signed for it: change them at head "
                       "office (fieldcrm-server plugins publish ... --config)");
  }
  json previous = EffectivePluginConfig(store, plugin);
  json effective = Overlay(plugin, settings);
  CheckSchema(plugin, effective);
  try {
    if (plugin.CheckConfig(effective.dump())) ApplyPluginConfig(plugin, effective);
  } catch (const InvalidInput&) {
    // A plugin older than check_config was configured with the rejected settings: undo that.
    if (plugin.usable()) ApplyPluginConfig(plugin, previous);
    throw;
  }
  Transaction txn = store.Transact();
  store.Write("plugin_config", ConfigRecordId(plugin.name()),
              {{"plugin", plugin.name()}, {"config", settings}});
  txn.Commit();
  return effective;
}

}  // namespace fieldcrm
