#include "tablets.h"

#include <filesystem>

#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::bench {

const std::string& RemoveStoreFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

std::unique_ptr<Store> FreshStore(const std::string& path, DeviceInfo device) {
  return CreateCustomerStore(RemoveStoreFiles(path), std::move(device));
}

void ApplyInBatches(Store& store, const std::vector<Change>& changes) {
  constexpr size_t kBatch = 20000;
  for (size_t at = 0; at < changes.size(); at += kBatch) {
    store.ApplyRemote(std::span(changes).subspan(at, std::min(kBatch, changes.size() - at)));
  }
}

sync::SyncReport SyncOnce(Store& store, const std::string& url, const std::string& token) {
  auto transport = sync::MakeHttpTransport(url, token);
  return sync::SyncClient(store, *transport).Run();
}

}  // namespace fieldcrm::bench
