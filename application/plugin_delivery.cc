#include "fieldcrm/application/plugin_delivery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/plugin_signature.h"

namespace fieldcrm {

namespace {

namespace fs = std::filesystem;

struct InstalledFiles {
  fs::path library, signature;
  std::string signature_text;
};

std::string ReadText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Installed releases by plugin name, read from their signature files (the host verifies them
// again at every load; this only finds what is there).
std::map<std::string, InstalledFiles> Installed(const fs::path& folder) {
  std::map<std::string, InstalledFiles> installed;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const fs::path& path = entry.path();
    if (path.extension() != kSignatureSuffix) continue;
    std::string text = ReadText(path);
    nlohmann::json file = nlohmann::json::parse(text, nullptr, false);
    if (!file.is_object() || !file.value("statement", nlohmann::json()).is_string()) continue;
    nlohmann::json statement =
        nlohmann::json::parse(file["statement"].get<std::string>(), nullptr, false);
    if (!statement.is_object() || !statement.value("name", nlohmann::json()).is_string()) continue;
    fs::path library = path;
    library.replace_extension();  // x.so.sig -> x.so
    installed[statement["name"].get<std::string>()] = {library, path, text};
  }
  return installed;
}

void Fail(const std::string& what, const fs::path& file) {
  throw StorageError("cannot " + what + " '" + file.string() + "': " + std::strerror(errno));
}

void SyncFolder(const fs::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) Fail("open", folder);
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) Fail("flush", folder);
}

// Writes bytes to a temporary file in the same folder, flushes it and renames it to file.
void WriteAtomically(const fs::path& file, const std::string& bytes) {
  fs::path temporary = file.parent_path() / (".installing-" + file.filename().string());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) Fail("create", temporary);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      Fail("write", temporary);
    }
    done += static_cast<size_t>(n);
  }
  bool flushed = ::fsync(fd) == 0;
  ::close(fd);
  if (!flushed) Fail("flush", temporary);
  if (::rename(temporary.c_str(), file.c_str()) != 0) Fail("install", file);
}

// The installed release still verifies (nobody altered its library since): else it is replaced.
bool Intact(const InstalledFiles& files, const std::string& public_key) {
  std::error_code error;
  if (fs::file_size(files.library, error) > kMaxPluginLibraryBytes || error) return false;
  try {
    VerifyRelease(files.signature_text, ReadText(files.library), public_key);
    return true;
  } catch (const PluginError&) {
    return false;
  }
}

bool PluginName(const std::string& name) {
  return !name.empty() &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

// Verifies the offered release and installs it; returns "name version".
std::string Install(const fs::path& folder, const std::string& public_key,
                    const OfferedRelease& offer, const std::string& library,
                    const InstalledFiles* previous) {
  PluginRelease release;
  try {
    release = VerifyRelease(offer.signature, library, public_key);
  } catch (const PluginError& e) {
    throw PluginError("refused head office's plugin '" + offer.name + "': " + e.what());
  }
  if (release.name != offer.name || !PluginName(release.name)) {
    throw PluginError("refused head office's plugin '" + offer.name + "': it was signed as '" +
                      release.name + "'");
  }
  fs::path installed = folder / (release.name + "-" + release.sha256.substr(0, 12) + ".so");
  WriteAtomically(installed.string() + kSignatureSuffix, offer.signature);
  WriteAtomically(installed, library);
  SyncFolder(folder);
  if (previous != nullptr && previous->library != installed) {
    fs::remove(previous->library);
    fs::remove(previous->signature);
  }
  return release.name + " " + release.version;
}

}  // namespace

DeliveryReport SyncDeliveredFolder(const fs::path& folder, const std::string& public_key,
                                   const std::vector<OfferedRelease>& offered,
                                   const std::function<std::string(const OfferedRelease&)>& fetch) {
  DeliveryReport report;
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) throw StorageError("cannot create '" + folder.string() + "': " + error.message());
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, error);
  std::map<std::string, InstalledFiles> installed = Installed(folder);
  for (const OfferedRelease& offer : offered) {
    auto found = installed.find(offer.name);
    const InstalledFiles* previous = found == installed.end() ? nullptr : &found->second;
    if (previous != nullptr && previous->signature_text == offer.signature &&
        Intact(*previous, public_key)) {
      installed.erase(found);
      continue;
    }
    try {
      report.installed.push_back(Install(folder, public_key, offer, fetch(offer), previous));
    } catch (const PluginError& e) {
      report.refused.push_back(e.what());
    } catch (const StorageError&) {
      throw;
    } catch (const std::exception& e) {
      report.refused.push_back("could not fetch head office's plugin '" + offer.name +
                               "': " + e.what());
    }
    if (found != installed.end()) installed.erase(found);
  }
  for (const auto& [name, files] : installed) {
    fs::remove(files.library);
    fs::remove(files.signature);
    report.removed.push_back(name);
  }
  return report;
}

}  // namespace fieldcrm
