#include "tests/fuzz/fuzz_store.h"

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "fieldcrm/projections/customer_store.h"

namespace fieldcrm::fuzz {

Store& ScratchStore() {
  static std::unique_ptr<Store> store = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "fieldcrm-fuzz-XXXXXX").string();
    if (!mkdtemp(dir.data())) abort();
    return CreateCustomerStore(dir + "/scratch.db",
                               {.name = "fuzz", .agent = "fuzz", .team = "fuzz"});
  }();
  return *store;
}

}  // namespace fieldcrm::fuzz
