// Phone numbers normalised to E.164 with Google's libphonenumber, so that every way an agent
// may type one number ("+86 138-0013-8000", "8613800138000", "138 0013 8000") is one key.
#pragma once

#include <string>
#include <string_view>

namespace fieldcrm {

// Returns the E.164 form ("+8613800138000"); numbers without a country code are read in
// default_region (ISO 3166 code). Throws InvalidInput naming the input when it is not a valid
// number, or when it carries an extension ("0571-8888 8888 转 123"; E.164 cannot hold one).
std::string NormalizePhone(std::string_view input, std::string_view default_region = "CN");

}  // namespace fieldcrm
