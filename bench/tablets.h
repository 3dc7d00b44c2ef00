// Tablet stores for benchmarks: created the way `fieldcrm init` makes them, filled with changes
// of their own as if made offline, and synced with the real client over HTTP.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"
#include "fieldcrm/sync/client.h"

namespace fieldcrm::bench {

// Removes the store file at path with its -wal and -shm companions; returns path.
const std::string& RemoveStoreFiles(const std::string& path);

// A fresh store file at path (removing any left from an earlier run).
std::unique_ptr<Store> FreshStore(const std::string& path, DeviceInfo device);

// Applies changes in large batches: a replica filled as if by earlier syncs (or, with the
// store's own device id, by offline work on it).
void ApplyInBatches(Store& store, const std::vector<Change>& changes);

// One `fieldcrm sync` of store against url with token, in this process.
sync::SyncReport SyncOnce(Store& store, const std::string& url, const std::string& token);

}  // namespace fieldcrm::bench
