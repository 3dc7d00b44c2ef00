// Calling a plugin's function with the store at hand (plugin API 2.3): the plugin reads the
// records of the kinds it writes and looks customers up by phone through StoreReads, and what it
// proposes is written when the call succeeds, in one transaction, through Store::Write so it
// syncs and merges like every record. What a reception tablet does for a walk-in.
#pragma once

#include <string>
#include <string_view>

#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// PluginReads over a store: live records only, customers found by their normalised phone.
class StoreReads final : public PluginReads {
 public:
  explicit StoreReads(Store& store) : store_(store) {}
  std::string Records(const std::string& kind, const std::string& field,
                      const std::string& value) override;
  std::string CustomerByPhone(const std::string& phone) override;

 private:
  Store& store_;
};

struct StoreCallResult {
  std::string result;  // the function's JSON answer
  int created = 0;     // records written (a record already present is not written again)
};

// Calls function on plugin with the store at hand and writes what it proposed. Throws what the
// call throws (InvalidInput when the plugin rejected the input); then nothing is written.
StoreCallResult CallWithStore(Store& store, LoadedPlugin& plugin, std::string_view function,
                              std::string_view input_json);

}  // namespace fieldcrm
