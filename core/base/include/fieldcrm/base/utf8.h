// Whether bytes are UTF-8: text from outside (a CSV file, an HTTP query) is checked before it is
// stored or put into JSON, which accepts nothing else.
#pragma once

#include <string_view>

namespace fieldcrm {

bool IsValidUtf8(std::string_view text);

}  // namespace fieldcrm
