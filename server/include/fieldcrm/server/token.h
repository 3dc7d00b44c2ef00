// Bearer tokens: 32 random bytes from OpenSSL's CSPRNG, shown once when created. The server keeps
// only their SHA-256, so a copy of its database does not let anyone sync.
#pragma once

#include <string>
#include <string_view>

namespace fieldcrm::sync {

// "fcrm_" followed by 64 hex digits.
std::string NewToken();
// Lowercase hex SHA-256 of the bytes: how tokens are stored, and how a pushed batch is recognised
// when it is sent again.
std::string Sha256Hex(std::string_view bytes);

}  // namespace fieldcrm::sync
