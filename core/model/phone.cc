#include "fieldcrm/model/phone.h"

#include <phonenumbers/phonenumberutil.h>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string NormalizePhone(std::string_view input, std::string_view default_region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string text(input);
  PhoneNumber number;
  auto error = util.Parse(text, std::string(default_region), &number);
  if (error == PhoneNumberUtil::NO_PARSING_ERROR && !util.IsValidNumber(number) &&
      number.country_code() == 86 && text.rfind("86", 0) == 0) {
    // "8613800138000" typed without '+': the CN parser reads it as a national number.
    error = util.Parse("+" + text, std::string(default_region), &number);
  }
  if (error != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsValidNumber(number)) {
    throw InvalidInput("invalid phone number '" + text +
                       "': expected a mobile or landline number, e.g. 138 0013 8000 or +852 5123 "
                       "4567");
  }
  if (number.has_extension()) {
    // E.164 has no room for an extension, and dropping it silently loses how to reach the
    // customer: refused, so the agent puts it where it is kept.
    throw InvalidInput("phone number '" + text + "' has an extension (" + number.extension() +
                       "), which fieldcrm does not store: give the number alone and put the "
                       "extension in notes");
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace fieldcrm
