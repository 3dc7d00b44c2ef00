// The tablet's side of plugin delivery: after a sync, ask the server for head office's current
// releases (GET /v1/plugins, docs/sync-protocol.md) and make the store's delivered folder match
// them (application/plugin_delivery.h), fetching only the libraries it lacks. Each release is
// verified against the head-office key pinned on the store before it is written.
#pragma once

#include <string>

#include "fieldcrm/application/plugin_delivery.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::sync {

// public_key "": nothing is installed; a server offering releases then gets a refusal saying
// that no key is pinned. Throws ProtocolError / NetworkError when the list cannot be read.
DeliveryReport DeliverPlugins(Transport& transport, const std::filesystem::path& folder,
                              const std::string& public_key);

}  // namespace fieldcrm::sync
