#include "fieldcrm/sync/plugin_sync.h"

#include "fieldcrm/plugin_host/plugin_signature.h"
#include "fieldcrm/sync/protocol.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

json Answer(HttpReply reply, const std::string& what) {
  if (reply.status == 200 && reply.body.is_object()) return std::move(reply.body);
  std::string message = "HTTP " + std::to_string(reply.status);
  if (reply.body.is_object() && reply.body.contains("error")) {
    message = reply.body["error"].value("message", message);
  }
  throw ProtocolError(reply.status == 200 ? 502 : reply.status, "bad_response",
                      "cannot read " + what + " from the server: " + message);
}

}  // namespace

DeliveryReport DeliverPlugins(Transport& transport, const std::filesystem::path& folder,
                              const std::string& public_key) {
  json list = Answer(transport.Get(kPluginsPath), "head office's plugins");
  std::vector<OfferedRelease> offered;
  for (const json& release : list.value("plugins", json::array())) {
    if (!release.is_object() || !release.value("name", json()).is_string() ||
        !release.value("release", json()).is_number_integer() ||
        !release.value("signature", json()).is_string()) {
      throw ProtocolError(502, "bad_response", "the server's plugin list is malformed");
    }
    offered.push_back({release["name"], release["release"], release["signature"]});
  }
  if (public_key.empty()) {
    DeliveryReport report;
    if (!offered.empty()) {
      report.refused.push_back(
          "head office publishes " + std::to_string(offered.size()) +
          " plugin(s), but no head-office key is pinned on this store to verify them: run "
          "fieldcrm sync --head-office-key KEY (the key `fieldcrm-server keys show` prints)");
    }
    return report;
  }
  auto fetch = [&transport](const OfferedRelease& offer) {
    json answer = Answer(transport.Get(std::string(kPluginLibraryPath) +
                                       "?release=" + std::to_string(offer.release)),
                         "plugin '" + offer.name + "'");
    std::optional<std::string> library;
    if (answer.value("library", json()).is_string()) {
      const std::string& text = answer["library"].get_ref<const std::string&>();
      if (text.size() / 4 * 3 <= kMaxPluginLibraryBytes + 3) library = Base64Decode(text);
    }
    if (!library) throw ProtocolError(502, "bad_response", "the library is not valid base64");
    return *library;
  };
  return SyncDeliveredFolder(folder, public_key, offered, fetch);
}

}  // namespace fieldcrm::sync
