// Phone normalisation takes whatever an agent types: it either returns E.164 or throws
// InvalidInput, and what it returns normalises to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/phone.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  try {
    std::string e164 = fieldcrm::NormalizePhone(input);
    if (e164.empty() || e164[0] != '+' || fieldcrm::NormalizePhone(e164) != e164) abort();
  } catch (const fieldcrm::InvalidInput&) {
  }
  return 0;
}
