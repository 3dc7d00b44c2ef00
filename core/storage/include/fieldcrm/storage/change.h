// A change: one write of one field of one record, the unit the log stores and sync exchanges.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

// Reserved fields: the record tombstone and the customer alias link.
inline constexpr const char* kDeletedField = "_deleted";
inline constexpr const char* kMergedIntoField = "_merged_into";

struct Change {
  std::string device;  // id of the device that made the write
  int64_t seq = 0;     // that device's own counter: (device, seq) names the change everywhere
  Hlc hlc = 0;         // when, on the hybrid clock; with device, orders writes to a field
  Hlc base = 0;        // hlc of the field's value the writer saw (0: none); tells conflicts apart
  std::string kind;    // record kind: customer, interaction, task, deal, referral, ...
  std::string record;  // record id (UUIDv7)
  std::string field;   // field name
  std::optional<std::string> value;  // canonical JSON text; nullopt (JSON null) removes the field

  bool operator==(const Change&) const = default;
};

nlohmann::json ChangeToJson(const Change& change);
// Appends ChangeToJson(c).dump() to out without building the JSON object: the server writes
// many thousands of changes per pull page.
void AppendChangeJson(std::string& out, const Change& c);
// Appends text as a JSON string literal, exactly as nlohmann::json(text).dump() writes it.
void AppendJsonString(std::string& out, const std::string& text);
// Validates shape and types; throws InvalidInput naming what is wrong.
Change ChangeFromJson(const nlohmann::json& json);

}  // namespace fieldcrm
