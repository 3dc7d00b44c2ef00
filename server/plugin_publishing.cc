#include "fieldcrm/server/plugin_publishing.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>

#include "fieldcrm/application/plugin_delivery.h"
#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_checks.h"
#include "fieldcrm/plugin_host/plugin_signature.h"
#include "fieldcrm/postgres/pg_connection.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

std::string ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput("cannot read " + std::string(what) + " '" + path + "'");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string ServerKey(SqliteServerStorage& storage) {
  std::optional<std::string> key = storage.SigningPublicKey();
  if (!key) {
    throw InvalidInput("this server has no signing key yet: run `fieldcrm-server keys init` first");
  }
  return *key;
}

// The rules the plugin is to run with, refused as a tablet would refuse them.
void CheckSettings(LoadedPlugin& plugin, const json& settings) {
  if (settings.is_null()) return;
  if (!settings.is_object()) throw InvalidInput("--config must be a JSON object");
  json effective = plugin.manifest()["default_config"];
  effective.merge_patch(settings);
  try {
    sdk::checks::ValidateJsonSchema(plugin.manifest()["config_schema"], effective);
  } catch (const std::invalid_argument& e) {
    throw InvalidInput("--config for plugin '" + plugin.name() + "' is invalid at " + e.what());
  }
  plugin.CheckConfig(effective.dump());
}

}  // namespace

std::string DefaultSigningKeyFile(const std::string& db_path) {
  if (postgres::IsPostgresUrl(db_path)) {
    throw InvalidInput(
        "the store is in PostgreSQL: say where the signing key's file is (--key-file)");
  }
  return db_path + ".signing-key";
}

std::string CreateSigningKey(SqliteServerStorage& storage, const std::string& key_file) {
  if (storage.SigningPublicKey()) {
    throw InvalidInput(
        "this server already has a signing key (`fieldcrm-server keys show`); "
        "tablets have pinned it, so it is never replaced by keys init");
  }
  SigningKeys keys = GenerateSigningKeys();
  int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw InvalidInput("cannot create '" + key_file + "': " + std::strerror(errno) +
                       (errno == EEXIST ? " (an existing key file is never overwritten)" : ""));
  }
  std::string text = keys.secret_hex + "\n";
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(key_file.c_str());
    throw StorageError("cannot write '" + key_file + "'");
  }
  storage.SetSigningPublicKey(keys.public_hex);
  return keys.public_hex;
}

StoredRelease PublishPlugin(SqliteServerStorage& storage, const PublishRequest& request) {
  std::string public_key = ServerKey(storage);
  std::string secret = ReadFile(request.key_file, "the signing key");
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (PublicKeyOf(secret) != public_key) {
    throw InvalidInput("'" + request.key_file + "' is not this server's signing key");
  }
  std::string library = ReadFile(request.library_file, "the plugin");
  if (library.size() > kMaxPluginLibraryBytes) {
    throw InvalidInput("'" + request.library_file + "' is larger than a plugin may be (" +
                       std::to_string(kMaxPluginLibraryBytes >> 20) + " MiB)");
  }
  InProcessPlugin plugin(request.library_file);  // a one-off command: its own process
  if (!request.kind.empty() && plugin.kind() != request.kind) {
    throw InvalidInput("'" + request.library_file + "' is a " + plugin.kind() + " plugin, not " +
                       request.kind);
  }
  CheckSettings(plugin, request.settings);
  PluginRelease release{plugin.name(),
                        plugin.manifest()["version"].get<std::string>(),
                        plugin.kind(),
                        Sha256OfBytes(library),
                        static_cast<int64_t>(library.size()),
                        request.publisher,
                        storage.env().NowIso(),
                        request.settings};
  return storage.PublishRelease(release, SignRelease(release, secret), library);
}

std::unique_ptr<PluginHost> LoadServerPlugins(SqliteServerStorage& storage, PluginSources local,
                                              PluginHostOptions run, std::ostream& log) {
  local.delivered = DeliveredPluginsFolder(storage.store().path());
  local.head_office_key = storage.SigningPublicKey().value_or("");
  if (!local.head_office_key.empty()) {
    std::vector<OfferedRelease> offered;
    for (const StoredRelease& r : storage.CurrentReleases()) {
      offered.push_back({r.plugin.name, r.release, r.signature});
    }
    DeliveryReport report = SyncDeliveredFolder(
        local.delivered, local.head_office_key, offered,
        [&storage](const OfferedRelease& offer) { return storage.ReleaseLibrary(offer.release); });
    for (const std::string& refused : report.refused) log << "fieldcrm-server: " << refused << '\n';
  }
  return std::make_unique<PluginHost>(std::move(local), std::move(run));
}

}  // namespace fieldcrm::sync
