// Keeping a delivered folder (PluginsFolder.h: STORE.plugins/) equal to what head office
// currently publishes. A tablet does it after each sync with what the server offers over HTTP
// (sync/plugin_sync.h); the server does it at start with its own releases, so that it grades
// with the same plugins as the tablets. Every release is verified (plugin_signature.h) in memory
// before a byte of it is written; a verified one is written under a temporary name, flushed to
// disk and renamed into place (signature first, library last: the host only looks at *.so), and
// only then are the plugin's older files removed. So a process starting at any moment loads a
// whole release, old or new, never a torn one; a refused release leaves the folder as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace fieldcrm {

// One current release as head office offers it: the plugin's name, the release's number at
// head office and the signature file's text.
struct OfferedRelease {
  std::string name;
  int64_t release = 0;
  std::string signature;
};

struct DeliveryReport {
  std::vector<std::string> installed;  // "name version", newly installed
  std::vector<std::string> removed;    // plugins no longer published
  std::vector<std::string> refused;    // why a release was not installed (for people)
  bool changed() const { return !installed.empty() || !removed.empty(); }
};

// Makes folder hold exactly the offered releases that verify against public_key. fetch returns
// a release's library bytes (throws on failure, which refuses that release only); it is called
// only for releases not installed yet.
DeliveryReport SyncDeliveredFolder(const std::filesystem::path& folder,
                                   const std::string& public_key,
                                   const std::vector<OfferedRelease>& offered,
                                   const std::function<std::string(const OfferedRelease&)>& fetch);

}  // namespace fieldcrm
