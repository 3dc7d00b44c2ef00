// Plugin settings as synced records: one `plugin_config` record per plugin, its id derived from
// the plugin name so that head office and every tablet address the same record. The effective
// config is the manifest's default_config overlaid (JSON merge patch) with the stored settings,
// validated against the manifest's config_schema. A plugin head office published with signed
// rules (its release's "config") runs with those instead, and refuses local settings: an unsigned
// record must not change signed rules.
#pragma once

#include <nlohmann/json.hpp>

#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// The id of the plugin's settings record, the same on every replica.
std::string ConfigRecordId(const std::string& plugin);
// What head office set for the plugin ({} when nothing).
nlohmann::json StoredPluginConfig(Store& store, const std::string& plugin);
nlohmann::json EffectivePluginConfig(Store& store, const LoadedPlugin& plugin);
// Validates against the schema and hands the config to the plugin (InvalidInput on rejection).
void ApplyPluginConfig(LoadedPlugin& plugin, const nlohmann::json& effective);
// Validates settings (schema, then the plugin itself) and stores them through the change log;
// on rejection nothing is written and the plugin keeps its previous config. Returns the new
// effective config.
nlohmann::json SetPluginConfig(Store& store, LoadedPlugin& plugin, const nlohmann::json& settings);

}  // namespace fieldcrm
