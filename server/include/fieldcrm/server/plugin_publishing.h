// Head office's side of signed plugins: its signing key, publishing a plugin release (signed,
// kept in the server store, given to every tablet at its next sync), rolling one back, and the
// server's own copy of the current releases, so that its reports grade with what tablets run.
// docs/plugins.md, "Signed plugins".
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

// Where the secret key lives by default: beside the server store (HQ.db.signing-key); a store in
// PostgreSQL has no default (InvalidInput).
std::string DefaultSigningKeyFile(const std::string& db_path);

// Creates head office's Ed25519 key pair: the secret key into key_file (created 0600; an existing
// file is never overwritten), the public key into the store. Returns the public key (hex), which
// tablets pin. Throws InvalidInput when key_file exists or the store already has a key.
std::string CreateSigningKey(SqliteServerStorage& storage, const std::string& key_file);

struct PublishRequest {
  std::string library_file;
  std::string key_file;
  std::string publisher;    // who is publishing, shown in `plugins list` everywhere
  std::string kind;         // "" or the kind the plugin must declare
  nlohmann::json settings;  // null or rules it is to run with (overlaid on its defaults)
};

// Loads the library (refusing what the host refuses), checks the kind and the settings against
// the plugin's schema and the plugin itself, signs the release with the key in key_file (which
// must be this server's key) and makes it the plugin's current release.
StoredRelease PublishPlugin(SqliteServerStorage& storage, const PublishRequest& request);

// Installs the current releases into the server's delivered folder (checked against its own
// public key) and loads them ahead of the local folder in `local` (PluginHost), their code run as
// `run` says (in process or isolated). Refused releases
// are reported on log.
std::unique_ptr<PluginHost> LoadServerPlugins(SqliteServerStorage& storage, PluginSources local,
                                              PluginHostOptions run, std::ostream& log);

}  // namespace fieldcrm::sync
