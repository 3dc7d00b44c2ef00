// Head office's signature on a plugin release (Ed25519, libsodium). A release is a plugin library
// plus what head office vouches for: its name, version, kind, size and SHA-256, who published it
// and when, and optionally the rule configuration it is to run with. The signature file
// (NAME.so.sig beside the library) carries that statement as the exact text that was signed, so
// verifying never depends on how JSON is re-serialised. A library verifies when the statement's
// signature checks out against the pinned head-office public key AND the library's bytes hash to
// the signed SHA-256: one changed byte in either file is refused.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace fieldcrm {

// What the signature file is called beside a library (`tiering.so` -> `tiering.so.sig`).
inline constexpr const char* kSignatureSuffix = ".sig";
// The largest library a release may hold: bounds what a tablet downloads and keeps in memory.
inline constexpr size_t kMaxPluginLibraryBytes = 32u << 20;

struct SigningKeys {
  std::string public_hex;  // 32 bytes, lowercase hex: what tablets pin
  std::string secret_hex;  // 64 bytes, lowercase hex: stays at head office
};

// A new random Ed25519 key pair.
SigningKeys GenerateSigningKeys();
// The public half of a secret key; throws InvalidInput when secret_hex is not one.
std::string PublicKeyOf(const std::string& secret_hex);
// Throws InvalidInput unless text is a public key as GenerateSigningKeys writes it.
void CheckPublicKey(const std::string& text);

// Standard base64 (libraries travel in JSON); Base64Decode gives nothing for malformed text.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// Lowercase hex SHA-256 of bytes.
std::string Sha256OfBytes(std::string_view bytes);

struct PluginRelease {
  std::string name, version, kind;
  std::string sha256;  // of the library
  int64_t size = 0;    // of the library, bytes
  std::string publisher, published_at;
  nlohmann::json config;  // head office's settings for it (overlaid on its defaults); null: none
};

nlohmann::json ToJson(const PluginRelease& release);

// The signature file's text for release, signed with secret_hex.
std::string SignRelease(const PluginRelease& release, const std::string& secret_hex);

// The release signature_file vouches for, once verified against public_hex and library. Throws
// PluginError saying exactly what failed: not a signature file, signed by another key (or the
// statement altered), the library altered (size or hash differ).
PluginRelease VerifyRelease(std::string_view signature_file, std::string_view library,
                            const std::string& public_hex);

}  // namespace fieldcrm
