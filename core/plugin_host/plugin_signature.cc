#include "fieldcrm/plugin_host/plugin_signature.h"

#include <sodium.h>

#include <optional>
#include <vector>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// What the signed text starts with: a signature for anything else never passes for a release.
constexpr std::string_view kReleaseContext = "fieldcrm-plugin-release-1\n";

void InitSodium() {
  if (sodium_init() < 0) throw PluginError("libsodium could not be initialised");
}

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// The bytes of hex when it encodes exactly `size` of them; nothing otherwise.
std::optional<std::vector<unsigned char>> Unhex(const std::string& hex, size_t size) {
  std::vector<unsigned char> bytes(size);
  size_t written = 0;
  if (hex.size() != size * 2 ||
      sodium_hex2bin(bytes.data(), size, hex.data(), hex.size(), nullptr, &written, nullptr) != 0 ||
      written != size) {
    return std::nullopt;
  }
  return bytes;
}

std::vector<unsigned char> SecretKey(const std::string& secret_hex) {
  auto secret = Unhex(secret_hex, crypto_sign_SECRETKEYBYTES);
  if (!secret) {
    throw InvalidInput("not a fieldcrm signing key (" +
                       std::to_string(crypto_sign_SECRETKEYBYTES * 2) + " hex digits expected)");
  }
  return *secret;
}

std::string Signed(const std::string& statement) {
  return std::string(kReleaseContext) + statement;
}

PluginRelease ReleaseOf(const json& statement) {
  PluginRelease release;
  release.name = statement.at("name").get<std::string>();
  release.version = statement.at("version").get<std::string>();
  release.kind = statement.at("kind").get<std::string>();
  release.sha256 = statement.at("sha256").get<std::string>();
  release.size = statement.at("size").get<int64_t>();
  release.publisher = statement.at("publisher").get<std::string>();
  release.published_at = statement.at("published_at").get<std::string>();
  release.config = statement.value("config", json());
  return release;
}

}  // namespace

SigningKeys GenerateSigningKeys() {
  InitSodium();
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  SigningKeys keys{Hex(public_key, sizeof public_key), Hex(secret_key, sizeof secret_key)};
  sodium_memzero(secret_key, sizeof secret_key);
  return keys;
}

std::string PublicKeyOf(const std::string& secret_hex) {
  InitSodium();
  std::vector<unsigned char> secret = SecretKey(secret_hex);
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_ed25519_sk_to_pk(public_key, secret.data());
  sodium_memzero(secret.data(), secret.size());
  return Hex(public_key, sizeof public_key);
}

void CheckPublicKey(const std::string& text) {
  if (!Unhex(text, crypto_sign_PUBLICKEYBYTES)) {
    throw InvalidInput("'" + text + "' is not a head-office public key (" +
                       std::to_string(crypto_sign_PUBLICKEYBYTES * 2) +
                       " hex digits, as `fieldcrm-server keys show` prints it)");
  }
}

std::string Base64Encode(std::string_view bytes) {
  InitSodium();
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  text.pop_back();  // the terminating NUL
  return text;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  InitSodium();
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  bytes.resize(written);
  return bytes;
}

std::string Sha256OfBytes(std::string_view bytes) {
  InitSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(digest, sizeof digest);
}

json ToJson(const PluginRelease& release) {
  json out = {{"name", release.name},
              {"version", release.version},
              {"kind", release.kind},
              {"sha256", release.sha256},
              {"size", release.size},
              {"publisher", release.publisher},
              {"published_at", release.published_at}};
  if (!release.config.is_null()) out["config"] = release.config;
  return out;
}

std::string SignRelease(const PluginRelease& release, const std::string& secret_hex) {
  InitSodium();
  std::vector<unsigned char> secret = SecretKey(secret_hex);
  std::string statement = ToJson(release).dump();
  std::string message = Signed(statement);
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret.data());
  sodium_memzero(secret.data(), secret.size());
  return json{{"statement", statement}, {"signature", Hex(signature, sizeof signature)}}.dump(2) +
         "\n";
}

PluginRelease VerifyRelease(std::string_view signature_file, std::string_view library,
                            const std::string& public_hex) {
  InitSodium();
  auto public_key = Unhex(public_hex, crypto_sign_PUBLICKEYBYTES);
  if (!public_key) throw PluginError("the pinned head-office key is not a public key");
  json file = json::parse(signature_file, nullptr, false);
  std::optional<std::vector<unsigned char>> signature;
  if (file.is_object() && file.value("signature", json()).is_string()) {
    signature = Unhex(file["signature"].get<std::string>(), crypto_sign_BYTES);
  }
  if (!signature || !file.value("statement", json()).is_string()) {
    throw PluginError("its signature file is not a fieldcrm signature");
  }
  std::string message = Signed(file["statement"].get<std::string>());
  if (crypto_sign_verify_detached(signature->data(),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), public_key->data()) != 0) {
    throw PluginError(
        "its signature does not verify against the pinned head-office key (signed by another "
        "key, or the signature file was altered)");
  }
  PluginRelease release;
  try {
    release = ReleaseOf(json::parse(file["statement"].get<std::string>()));
  } catch (const json::exception& e) {
    throw PluginError(std::string("its signed statement is malformed: ") + e.what());
  }
  if (static_cast<int64_t>(library.size()) != release.size ||
      Sha256OfBytes(library) != release.sha256) {
    throw PluginError("the library was altered after head office signed it (SHA-256 " +
                      Sha256OfBytes(library).substr(0, 16) + "…, signed " +
                      release.sha256.substr(0, 16) + "…)");
  }
  return release;
}

}  // namespace fieldcrm
