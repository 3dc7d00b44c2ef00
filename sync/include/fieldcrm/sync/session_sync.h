// A sync as every front end runs it (the CLI's `sync`, the tablet app's sync button): the head
// office settings remembered on the store, rounds of push and pull with the session's review
// policy between them (Session::ReviewAfterSync), the lost-tablet wipe, and the status line.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fieldcrm/application/session.h"
#include "fieldcrm/sync/client.h"
#include "fieldcrm/sync/plugin_sync.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::sync {

// Where head office is and how to prove who this tablet is; remembered on the store after the
// first sync so that later ones need no arguments.
struct ServerSettings {
  std::string url;
  std::string token;
  std::string ca_file;  // PEM of head office's own CA; "" = the system's trusted CAs
  // Head office's public key for plugin signatures (hex); "" = keep the one pinned (if any).
  std::string head_office_key;
};

// `given` with its empty url and token filled from the store's remembered ones (ca_file only
// when url was not given either). Throws InvalidInput naming what is missing.
ServerSettings RememberedServer(Store& store, const ServerSettings& given);
// Remembers settings in one transaction, so that an interrupted sync is resumed by plain `sync`;
// pins head_office_key when given (InvalidInput when it is not a public key).
void RememberServer(Store& store, const ServerSettings& settings);

struct SessionSyncReport {
  SyncReport sync;                    // both rounds added up
  DeliveryReport plugins;             // head office's releases installed, removed, refused
  std::vector<std::string> warnings;  // refused releases; plugins failed in the review after
};

// Runs a sync round, then brings head office's plugin releases (plugin_sync.h; the session
// reloads its plugins when they changed), and, when the review after the sync wrote records,
// one more round to send them; holding the store's SyncLock throughout (a second sync of the
// store meanwhile throws kSyncInProgress).
// A server that answers "wiped" (head office revoked this tablet with --wipe) closes the
// session, deletes the store, its SQLite side files and its delivered plugins, and throws
// InvalidInput naming them.
SessionSyncReport SyncSession(Session& session, Transport& transport, const SyncOptions& options);

// This device, its last sync and what is unsent: `status --json` and the tablet app's status.
// "sync" is the progress of the sync running now, or of the last one (progress.h), or null.
nlohmann::json SyncStatus(Store& store);

}  // namespace fieldcrm::sync
