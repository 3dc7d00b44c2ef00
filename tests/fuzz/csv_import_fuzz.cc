// The CSV importer reads files from outside (agencies, Excel, GBK): any bytes give a report or
// an InvalidInput, never a crash, and never a half-imported row.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customer_import.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/fuzz/fuzz_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fieldcrm::Store& store = fieldcrm::fuzz::ScratchStore();
  std::string path = StoreDatabase(store).path() + ".csv";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), size);
  fieldcrm::Transaction scratch(
      StoreDatabase(store));  // never committed: rolled back at scope exit
  try {
    fieldcrm::ImportCustomers(store, path, {.keep_unknown = true, .skip_bad_rows = true});
  } catch (const fieldcrm::InvalidInput&) {
  }
  return 0;
}
