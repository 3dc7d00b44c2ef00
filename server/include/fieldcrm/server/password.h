// Passwords of the dashboard's people (fieldcrm-server users add): kept only as a salted scrypt
// hash (OpenSSL's EVP_PBE_scrypt; N = 2^15, r = 8, p = 1: about 32 MB and a tenth of a second
// per guess), stored as "scrypt$N$r$p$SALT_HEX$HASH_HEX" so the cost can rise later.
#pragma once

#include <string>
#include <string_view>

namespace fieldcrm::sync {

// Shortest password head office's admin may set.
inline constexpr size_t kMinPasswordLength = 10;

// A fresh random salt each time. Throws InvalidInput for a password shorter than
// kMinPasswordLength bytes.
std::string HashPassword(std::string_view password);

// Whether password matches stored (a HashPassword result), compared in constant time. A stored
// value of another form never matches.
bool VerifyPassword(std::string_view password, const std::string& stored);

}  // namespace fieldcrm::sync
