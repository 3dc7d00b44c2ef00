// Whether bytes are UTF-8: text from outside (a CSV file, an HTTP query) is checked before it is
// stored or put into JSON, which accepts nothing else. Strict, as JSON is: overlong forms,
// surrogates and code points beyond U+10FFFF are not UTF-8.
#pragma once

#include <string_view>

namespace fieldcrm {

bool IsValidUtf8(std::string_view text);

}  // namespace fieldcrm
