#include "fieldcrm/storage/change.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// A stored value back as JSON. Most are plain strings or integers, which need no parser: a string
// with no escape in it, or digits without a leading zero, mean what they spell.
json ValueJson(const std::string& text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
      text.find('\\') == std::string::npos) {
    return text.substr(1, text.size() - 2);
  }
  size_t digits = text.starts_with('-') ? 1 : 0;
  if (text.size() > digits && text.size() - digits < 19 && text[digits] != '0' &&
      text.find_first_not_of("0123456789", digits) == std::string::npos) {
    return std::stoll(text);
  }
  return json::parse(text);
}

}  // namespace

json ChangeToJson(const Change& c) {
  json out = {{"device", c.device}, {"seq", c.seq},       {"hlc", c.hlc},     {"base", c.base},
              {"kind", c.kind},     {"record", c.record}, {"field", c.field}, {"value", nullptr}};
  if (c.value) out["value"] = ValueJson(*c.value);
  return out;
}

void AppendJsonString(std::string& out, const std::string& text) {
  bool plain = std::none_of(text.begin(), text.end(), [](char ch) {
    return ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20;
  });
  if (!plain) {
    out += json(text).dump();
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

void AppendChangeJson(std::string& out, const Change& c) {
  // Members in the order dump() writes them: sorted by name.
  out += "{\"base\":";
  out += std::to_string(c.base);
  out += ",\"device\":";
  AppendJsonString(out, c.device);
  out += ",\"field\":";
  AppendJsonString(out, c.field);
  out += ",\"hlc\":";
  out += std::to_string(c.hlc);
  out += ",\"kind\":";
  AppendJsonString(out, c.kind);
  out += ",\"record\":";
  AppendJsonString(out, c.record);
  out += ",\"seq\":";
  out += std::to_string(c.seq);
  out += ",\"value\":";
  out += c.value ? *c.value : "null";  // stored values are canonical JSON text already
  out += '}';
}

namespace {

const json& Member(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw InvalidInput(std::string("change is missing '") + name + "'");
  return *it;
}

std::string NonEmptyString(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    throw InvalidInput(std::string("change field '") + name + "' must be a non-empty string");
  }
  return v.get<std::string>();
}

uint64_t Unsigned(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_number_unsigned()) {
    throw InvalidInput(std::string("change field '") + name + "' must be a non-negative integer");
  }
  return v.get<uint64_t>();
}

}  // namespace

Change ChangeFromJson(const json& j) {
  if (!j.is_object()) throw InvalidInput("a change must be a JSON object");
  Change c;
  c.device = NonEmptyString(j, "device");
  c.seq = static_cast<int64_t>(Unsigned(j, "seq"));
  c.hlc = Unsigned(j, "hlc");
  c.base = j.contains("base") ? Unsigned(j, "base") : 0;
  c.kind = NonEmptyString(j, "kind");
  c.record = NonEmptyString(j, "record");
  c.field = NonEmptyString(j, "field");
  if (c.seq <= 0) throw InvalidInput("change field 'seq' must be positive");
  if (c.hlc == 0) throw InvalidInput("change field 'hlc' must be positive");
  const json& value = Member(j, "value");
  if (!value.is_null()) c.value = value.dump();  // dump() is canonical: object keys sorted
  return c;
}

bool SameChange(const Change& a, const Change& b) {
  if (a == b) return true;
  Change a_erased = a;
  a_erased.value = b.value;
  return a_erased == b && a.value && b.value &&
         (*a.value == kErasedValue || *b.value == kErasedValue);
}

}  // namespace fieldcrm
