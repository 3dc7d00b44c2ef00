// Record ids: UUIDv7 (RFC 9562), created offline on any device and globally unique: 48 bits of
// milliseconds make them sort by creation time, 74 random bits keep tablets from colliding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fieldcrm {

// sequence fills the 12 bits after the timestamp (RFC 9562 method 1), so that ids one device
// makes within a millisecond still sort in the order they were made.
std::string NewUuidV7(int64_t unix_ms, uint16_t sequence);
std::string NewUuidV7(int64_t unix_ms);  // random sequence
bool IsUuid(std::string_view text);

}  // namespace fieldcrm
