#include "fieldcrm/server/token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {

namespace {

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string NewToken() {
  std::array<unsigned char, 32> secret;
  if (RAND_bytes(secret.data(), secret.size()) != 1) {
    throw StorageError("the system's random generator failed: cannot create a token");
  }
  return "fcrm_" + Hex(secret.data(), secret.size());
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw StorageError("SHA-256 failed");
  }
  return Hex(digest.data(), size);
}

}  // namespace fieldcrm::sync
