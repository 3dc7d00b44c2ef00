#include "fieldcrm/server/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {

namespace {

constexpr uint64_t kCostN = uint64_t{1} << 15;
constexpr uint64_t kBlockR = 8;
constexpr uint64_t kParallelP = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr uint64_t kMaxMemory = 64 * 1024 * 1024;  // above scrypt's 128·N·r = 32 MB

std::string Hex(const unsigned char* bytes, size_t n) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

std::vector<unsigned char> Unhex(const std::string& hex) {
  std::vector<unsigned char> out;
  if (hex.size() % 2) return out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<unsigned char> Scrypt(std::string_view password, const std::vector<unsigned char>& salt,
                                  uint64_t n, uint64_t r, uint64_t p, size_t length) {
  std::vector<unsigned char> key(length);
  if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n, r, p,
                     kMaxMemory, key.data(), key.size()) != 1) {
    throw std::runtime_error("scrypt failed (OpenSSL)");
  }
  return key;
}

}  // namespace

std::string HashPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    throw InvalidInput("a password needs at least " + std::to_string(kMinPasswordLength) +
                       " characters");
  }
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("no random bytes for a password salt (OpenSSL)");
  }
  auto key = Scrypt(password, salt, kCostN, kBlockR, kParallelP, kHashBytes);
  return "scrypt$" + std::to_string(kCostN) + "$" + std::to_string(kBlockR) + "$" +
         std::to_string(kParallelP) + "$" + Hex(salt.data(), salt.size()) + "$" +
         Hex(key.data(), key.size());
}

bool VerifyPassword(std::string_view password, const std::string& stored) {
  std::array<std::string, 6> parts;
  std::istringstream in(stored);
  for (std::string& part : parts) {
    if (!std::getline(in, part, '$')) return false;
  }
  try {
    if (parts[0] != "scrypt") return false;
    uint64_t n = std::stoull(parts[1]), r = std::stoull(parts[2]), p = std::stoull(parts[3]);
    std::vector<unsigned char> salt = Unhex(parts[4]), expected = Unhex(parts[5]);
    if (salt.empty() || expected.empty() || n > kCostN * 16) return false;
    auto key = Scrypt(password, salt, n, r, p, expected.size());
    return CRYPTO_memcmp(key.data(), expected.data(), key.size()) == 0;
  } catch (const std::exception&) {  // malformed numbers or hex, or parameters scrypt refuses
    return false;
  }
}

}  // namespace fieldcrm::sync
