// One scratch store per fuzzing process. Each input runs inside a transaction that is rolled back,
// so inputs cannot influence each other and the file never grows.
#pragma once

#include <memory>

#include "fieldcrm/storage/store.h"

namespace fieldcrm::fuzz {

Store& ScratchStore();

}  // namespace fieldcrm::fuzz
