// What erasing a person by phone number reaches (docs/privacy.md): the customer registered with
// that phone, and the records under no customer that hold it (a walk-in logged at reception who
// never gave a name, or whose registration is not on this store). Records under a customer go
// with their customer's erasure.
#pragma once

#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// The ids to hand Store::Erase for the person with this phone (any way of writing it): the live
// customer with it first, then the records under no customer whose "phone" is it, in id order.
// InvalidInput for text that is no phone number; empty when nothing holds it.
std::vector<std::string> ErasureTargetsByPhone(Store& store, const std::string& phone_text);

}  // namespace fieldcrm
