// Record ids: UUIDv7 (RFC 9562), created offline on any device and globally unique: 48 bits of
// milliseconds make them sort by creation time, 74 random bits keep tablets from colliding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fieldcrm {

std::string NewUuidV7(int64_t unix_ms);
bool IsUuid(std::string_view text);

}  // namespace fieldcrm
