#include "fieldcrm/plugin_host/json_schema.h"

#include <algorithm>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

bool HasType(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return true;  // an unknown type name restricts nothing
}

void Fail(const std::string& path, const std::string& what) {
  throw InvalidInput((path.empty() ? "/" : path) + ": " + what);
}

}  // namespace

void ValidateJsonSchema(const json& schema, const json& value, const std::string& path) {
  if (!schema.is_object()) return;
  if (auto type = schema.find("type"); type != schema.end()) {
    json types = type->is_array() ? *type : json::array({*type});
    bool ok = std::any_of(types.begin(), types.end(), [&](const json& t) {
      return t.is_string() && HasType(value, t.get<std::string>());
    });
    if (!ok) Fail(path, "expected " + type->dump() + ", got " + value.dump());
  }
  if (auto choices = schema.find("enum"); choices != schema.end() && choices->is_array()) {
    if (std::find(choices->begin(), choices->end(), value) == choices->end()) {
      Fail(path, value.dump() + " is not one of " + choices->dump());
    }
  }
  if (value.is_number()) {
    double number = value.get<double>();
    if (schema.contains("minimum") && number < schema["minimum"].get<double>()) {
      Fail(path, value.dump() + " is below the minimum " + schema["minimum"].dump());
    }
    if (schema.contains("maximum") && number > schema["maximum"].get<double>()) {
      Fail(path, value.dump() + " is above the maximum " + schema["maximum"].dump());
    }
  }
  if (value.is_string() && schema.contains("minLength") &&
      value.get<std::string>().size() < schema["minLength"].get<size_t>()) {
    Fail(path, "shorter than " + schema["minLength"].dump() + " characters");
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<size_t>()) {
      Fail(path, "needs at least " + schema["minItems"].dump() + " items");
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>()) {
      Fail(path, "allows at most " + schema["maxItems"].dump() + " items");
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
      Fail(path, "missing required '" + name.get<std::string>() + "'");
    }
  }
  json properties = schema.value("properties", json::object());
  bool closed = schema.value("additionalProperties", json(true)) == false;
  for (const auto& [key, item] : value.items()) {
    if (properties.contains(key)) {
      ValidateJsonSchema(properties[key], item, path + "/" + key);
    } else if (closed) {
      Fail(
          path, "unknown setting '" + key + "' (known: " + [&] {
            std::string names;
            for (const auto& [known, unused] : properties.items()) {
              names += (names.empty() ? "" : ", ") + known;
            }
            return names;
          }() + ")");
    }
  }
}

}  // namespace fieldcrm
