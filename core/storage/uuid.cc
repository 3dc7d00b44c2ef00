#include "fieldcrm/storage/uuid.h"

#include <array>
#include <cstdio>
#include <random>

namespace fieldcrm {

namespace {

std::random_device& Entropy() {
  static thread_local std::random_device entropy;  // getrandom(2) on Linux
  return entropy;
}

}  // namespace

std::string NewUuidV7(int64_t unix_ms) {
  return NewUuidV7(unix_ms, static_cast<uint16_t>(Entropy()() & 0xFFF));
}

std::string NewUuidV7(int64_t unix_ms, uint16_t sequence) {
  std::random_device& entropy = Entropy();
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  for (size_t i = 6; i < 16; i += 4) {
    uint32_t r = entropy();
    for (size_t j = 0; j < 4 && i + j < 16; ++j) bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>(0x70 | ((sequence >> 8) & 0x0F));  // version 7
  bytes[7] = static_cast<uint8_t>(sequence);
  bytes[8] = static_cast<uint8_t>(0x80 | (bytes[8] & 0x3F));  // RFC variant
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace fieldcrm
