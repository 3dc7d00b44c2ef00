// Test support for plugin tests: real stores on disk with crafted customers at fixed times, the
// real built-in plugins loaded from the build tree, and sync between two replicas by exchanging
// their change logs.
#pragma once

#include <memory>
#include <string>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/storage/store.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {

// Every test evaluates at this fixed time, never the clock.
inline const int64_t kAsOf = ParseTime("2026-06-15T12:00Z", "as-of");

inline std::string BuiltinPlugins() {
  return FIELDCRM_BINARY_DIR "/plugins";
}

// The plugins of folder, unsigned ones included: what the tests load, asked for explicitly.
inline PluginSources UnsignedFolder(std::filesystem::path folder) {
  return {std::move(folder), /*allow_unsigned=*/true, {}, {}};
}

// A replica with a device of its own.
class Replica {
 public:
  Replica(const TempDir& dir, const std::string& name, const std::string& agent = "王芳",
          const std::string& team = "滨江一组");
  Store& store() { return *store_; }

  // A customer created at `created` (ISO-8601), with extra fields as typed.
  std::string Customer(const std::string& name, const std::string& phone,
                       const std::string& created, FieldTexts extra = {});
  std::string Interaction(const std::string& customer, const std::string& type,
                          const std::string& at);
  // A deal record with fixed times (Activities stamps the clock, tests must not).
  std::string Deal(const std::string& customer, int64_t price, const std::string& status,
                   const std::string& signed_at);
  std::string Referral(const std::string& referrer, const std::string& referee);
  int64_t LogSize();

 private:
  std::unique_ptr<Store> store_;
};

// Sends every change each replica has that the other lacks (applying twice is a no-op).
void Sync(Store& a, Store& b);

// The built-in plugins, configured from the store.
std::unique_ptr<PluginHost> BuiltinHost(Store& store);

}  // namespace fieldcrm::testing
