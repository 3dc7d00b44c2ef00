// Validates plugin configs against the JSON Schema in a plugin's manifest. Supports the subset
// plugin configs need: type, properties, required, additionalProperties (false), enum, minimum,
// maximum, minLength, items, minItems, maxItems. Unknown keywords are ignored, as the spec says.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fieldcrm {

// Throws InvalidInput naming the first offending path ("/thresholds/A: ...").
void ValidateJsonSchema(const nlohmann::json& schema, const nlohmann::json& value,
                        const std::string& path = "");

}  // namespace fieldcrm
