// Arbitrary log entries, as a hostile or broken peer might send them: each is refused with
// InvalidInput or applied, and applying the same batch again changes nothing (idempotence).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/fuzz/fuzz_store.h"
#include "tests/support/state_dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json batch = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!batch.is_array()) return 0;
  std::vector<fieldcrm::Change> changes;
  for (const auto& entry : batch) {
    try {
      changes.push_back(fieldcrm::ChangeFromJson(entry));
    } catch (const fieldcrm::InvalidInput&) {
    }
  }
  fieldcrm::Store& store = fieldcrm::fuzz::ScratchStore();
  fieldcrm::Transaction scratch(
      StoreDatabase(store));  // never committed: rolled back at scope exit
  try {
    fieldcrm::ApplyChanges(store, changes);
  } catch (const fieldcrm::InvalidInput&) {
    return 0;
  }
  std::string once = fieldcrm::testing::StateDump(StoreDatabase(store));
  fieldcrm::ApplyChanges(store, changes);
  if (fieldcrm::testing::StateDump(StoreDatabase(store)) != once) abort();
  return 0;
}
