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

// Erasure (docs/privacy.md): a record of this kind, hanging under the customer its "customer"
// field names, orders every replica to rewrite that person's values, in the log too, to
// kErasedValue. The rewritten entries keep their (device, seq), stamps and base, so the merge
// still orders them the same way everywhere; only the value says "erased".
inline constexpr const char* kErasureKind = "erasure";
inline constexpr const char* kErasedValue = R"({"_erased":true})";

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
// Whether two changes are one: equal, or equal but for the value where one of them was erased
// (a tablet re-sending its change about a customer erased since, or a replica relaying the erased
// form of a change another still holds in full until the erasure reaches it).
bool SameChange(const Change& a, const Change& b);
// Validates shape and types; throws InvalidInput naming what is wrong.
Change ChangeFromJson(const nlohmann::json& json);

}  // namespace fieldcrm
