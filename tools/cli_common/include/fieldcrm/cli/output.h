// Printing for people (aligned tables that respect wide CJK characters) and scripts (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fieldcrm::cli {

// Terminal columns the UTF-8 text occupies: CJK and full-width characters take two.
size_t DisplayWidth(std::string_view text);

void PrintTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);
// A field value as a person reads it: strings bare, arrays comma-joined, absent as "".
std::string Show(const nlohmann::json& value);
std::string Show(const nlohmann::json& object, const char* key);
void PrintJson(const nlohmann::json& value);

}  // namespace fieldcrm::cli
