// The rules a plugin must follow, as code shared by the host and the SDK's test harness
// (fieldcrm/testing.h), so that a plugin passing its own tests also loads: the API version, the
// manifest, the config schema, the hooks its kind needs, what a Review may write, the tier codes
// and the shape of an explanation. Each check throws std::invalid_argument saying what is wrong.
// Needs nlohmann_json; a plugin itself never includes this file.
#pragma once

#include <algorithm>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/plugin_abi.h"

namespace fieldcrm::sdk::checks {

using nlohmann::json;

[[noreturn]] inline void Fail(const std::string& what) {
  throw std::invalid_argument(what);
}

// Major must match; a plugin built for minor N runs in every host with minor >= N.
inline void CheckApiVersion(const fieldcrm_info& info) {
  if (info.api_major != FIELDCRM_API_MAJOR || info.api_minor > FIELDCRM_API_MINOR) {
    Fail("built for plugin API " + std::to_string(info.api_major) + "." +
         std::to_string(info.api_minor) + ", this fieldcrm supports " +
         std::to_string(FIELDCRM_API_MAJOR) + ".0 to " + std::to_string(FIELDCRM_API_MAJOR) + "." +
         std::to_string(FIELDCRM_API_MINOR) + ": rebuild it against this SDK");
  }
  if (info.struct_size < offsetof(fieldcrm_info, manifest) + sizeof info.manifest) {
    Fail("its fieldcrm_plugin_info is truncated");
  }
}

namespace detail {

inline bool HasType(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return true;  // an unknown type name restricts nothing
}

[[noreturn]] inline void FailAt(const std::string& path, const std::string& what) {
  Fail((path.empty() ? "/" : path) + ": " + what);
}

}  // namespace detail

// Validates a config against the JSON Schema in a manifest. Supports the subset plugin configs
// need: type, properties, required, additionalProperties (false), enum, minimum, maximum,
// minLength, items, minItems, maxItems. Unknown keywords are ignored, as the spec says. The
// message names the first offending path ("/thresholds/A: ...").
inline void ValidateJsonSchema(const json& schema, const json& value,
                               const std::string& path = "") {
  using detail::FailAt;
  if (!schema.is_object()) return;
  if (auto type = schema.find("type"); type != schema.end()) {
    json types = type->is_array() ? *type : json::array({*type});
    bool ok = std::any_of(types.begin(), types.end(), [&](const json& t) {
      return t.is_string() && detail::HasType(value, t.get<std::string>());
    });
    if (!ok) FailAt(path, "expected " + type->dump() + ", got " + value.dump());
  }
  if (auto choices = schema.find("enum"); choices != schema.end() && choices->is_array()) {
    if (std::find(choices->begin(), choices->end(), value) == choices->end()) {
      FailAt(path, value.dump() + " is not one of " + choices->dump());
    }
  }
  if (value.is_number()) {
    double number = value.get<double>();
    if (schema.contains("minimum") && number < schema["minimum"].get<double>()) {
      FailAt(path, value.dump() + " is below the minimum " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && number > schema["maximum"].get<double>()) {
      FailAt(path, value.dump() + " is above the maximum " + schema["maximum"].dump());
    }
  }
  if (value.is_string() && schema.contains("minLength") &&
      value.get<std::string>().size() < schema["minLength"].get<size_t>()) {
    FailAt(path, "shorter than " + schema["minLength"].dump() + " characters");
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<size_t>()) {
      FailAt(path, "needs at least " + schema["minItems"].dump() + " items");
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>()) {
      FailAt(path, "allows at most " + schema["maxItems"].dump() + " items");
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        ValidateJsonSchema(*items, value[i], path + "/" + std::to_string(i));
      }
    }
  }
  if (!value.is_object()) return;
  for (const json& name : schema.value("required", json::array())) {
    if (name.is_string() && !value.contains(name.get<std::string>())) {
      FailAt(path, "missing required '" + name.get<std::string>() + "'");
    }
  }
  json properties = schema.value("properties", json::object());
  bool closed = schema.value("additionalProperties", json(true)) == false;
  for (const auto& [key, item] : value.items()) {
    if (properties.contains(key)) {
      ValidateJsonSchema(properties[key], item, path + "/" + key);
    } else if (closed) {
      std::string known;
      for (const auto& [name, unused] : properties.items())
        known += (known.empty() ? "" : ", ") + name;
      FailAt(path, "unknown setting '" + key + "' (known: " + known + ")");
    }
  }
}

// Kinds holding the synced facts themselves: plugins derive records from them, never rewrite them.
inline const std::vector<std::string>& CoreKinds() {
  static const std::vector<std::string> kinds = {"customer", "interaction", "task",
                                                 "deal",     "referral",    "plugin_config"};
  return kinds;
}

// Parses a manifest and fills in the optional parts (config_schema, default_config, writes), so
// that everything after it can rely on them.
inline json CheckManifest(const char* text) {
  if (text == nullptr) Fail("no manifest");
  json manifest = json::parse(text, nullptr, false);
  if (manifest.is_discarded()) Fail("the manifest is not valid JSON");
  if (!manifest.is_object()) Fail("the manifest is not a JSON object");
  for (const char* field : {"name", "version", "kind", "description"}) {
    if (!manifest.contains(field) || !manifest[field].is_string() ||
        manifest[field].get<std::string>().empty()) {
      Fail(std::string("manifest field '") + field + "' must be a non-empty string");
    }
  }
  std::string name = manifest["name"];
  if (!std::regex_match(name, std::regex("[a-z][a-z0-9-]{0,63}"))) {
    Fail("plugin name '" + name + "' must be lowercase letters, digits and '-'");
  }
  if (!manifest.contains("config_schema")) manifest["config_schema"] = {{"type", "object"}};
  if (!manifest.contains("default_config")) manifest["default_config"] = json::object();
  if (!manifest.contains("writes")) manifest["writes"] = json::array();
  if (!manifest["config_schema"].is_object() || !manifest["default_config"].is_object()) {
    Fail("config_schema and default_config must be JSON objects");
  }
  ValidateJsonSchema(manifest["config_schema"], manifest["default_config"], "default_config");
  if (!manifest["writes"].is_array()) Fail("'writes' must list record kinds");
  for (const json& kind : manifest["writes"]) {
    if (!kind.is_string() || kind.get<std::string>().empty())
      Fail("'writes' must list record kinds");
    const auto& core = CoreKinds();
    if (std::find(core.begin(), core.end(), kind) != core.end()) {
      Fail("plugins may not write '" + kind.get<std::string>() + "' records");
    }
  }
  return manifest;
}

// The hooks every plugin needs, and those its kind needs.
inline void CheckHooks(const json& manifest, const fieldcrm_plugin_api& api) {
  const fieldcrm_plugin_api* table = &api;
  if (!FIELDCRM_HAS(fieldcrm_plugin_api, table, create) ||
      !FIELDCRM_HAS(fieldcrm_plugin_api, table, destroy) ||
      !FIELDCRM_HAS(fieldcrm_plugin_api, table, configure)) {
    Fail("it lacks create, destroy or configure");
  }
  std::string kind = manifest["kind"];
  if (kind == "tiering" && (!FIELDCRM_HAS(fieldcrm_plugin_api, table, grade) ||
                            !FIELDCRM_HAS(fieldcrm_plugin_api, table, explain))) {
    Fail("a tiering plugin needs the grade and explain hooks");
  }
  if (kind == "survey" && !FIELDCRM_HAS(fieldcrm_plugin_api, table, call)) {
    Fail("a survey plugin needs the call hook");
  }
}

// A Review's write: a kind the manifest lists, a key, fields a non-empty JSON object without
// reserved names. Returns the parsed fields.
inline json CheckWrite(const json& manifest, std::string_view kind, std::string_view key,
                       std::string_view fields_json) {
  const json& writes = manifest["writes"];
  if (std::find(writes.begin(), writes.end(), kind) == writes.end()) {
    Fail("wrote a '" + std::string(kind) +
         "' record, which its manifest does not list under \"writes\"");
  }
  if (key.empty()) Fail("wrote a record without a key");
  json fields = json::parse(fields_json, nullptr, false);
  if (fields.is_discarded() || !fields.is_object() || fields.empty()) {
    Fail("wrote fields that are not a non-empty JSON object");
  }
  for (const auto& [name, value] : fields.items()) {
    if (name.empty() || name.starts_with('_') || name == "id") {
      Fail("wrote reserved field '" + name + "'");
    }
  }
  return fields;
}

inline void CheckGrade(const fieldcrm_tier_grade& grade) {
  if (grade.tier < 'A' || grade.tier > 'D') {
    Fail("grade returned tier code " + std::to_string(int(grade.tier)) + " (expected A-D)");
  }
}

// An explanation as docs/plugins.md "Explanations" specifies: a JSON object whose "factors" is an
// array of objects, each with a string "name" and a numeric "points", and optionally a "value"
// (any JSON), a numeric "weight" and a string "reason".
inline void CheckExplanation(const json& explanation) {
  if (!explanation.is_object()) Fail("the explanation is not a JSON object");
  if (!explanation.contains("factors") || !explanation["factors"].is_array()) {
    Fail("the explanation has no \"factors\" array");
  }
  for (size_t i = 0; i < explanation["factors"].size(); ++i) {
    const json& factor = explanation["factors"][i];
    std::string where = "factor " + std::to_string(i);
    if (!factor.is_object()) Fail(where + " is not an object");
    if (!factor.contains("name") || !factor["name"].is_string())
      Fail(where + " has no string \"name\"");
    if (!factor.contains("points") || !factor["points"].is_number()) {
      Fail(where + " has no numeric \"points\"");
    }
    if (factor.contains("weight") && !factor["weight"].is_number()) {
      Fail(where + " has a \"weight\" that is not a number");
    }
    if (factor.contains("reason") && !factor["reason"].is_string()) {
      Fail(where + " has a \"reason\" that is not a string");
    }
  }
}

}  // namespace fieldcrm::sdk::checks
