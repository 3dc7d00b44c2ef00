#include "fieldcrm/base/utf8.h"

#include <cstddef>
#include <cstdint>

namespace fieldcrm {

bool IsValidUtf8(std::string_view text) {
  static constexpr uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t extra = lead < 0x80             ? 0
                   : (lead & 0xe0) == 0xc0 ? 1
                   : (lead & 0xf0) == 0xe0 ? 2
                   : (lead & 0xf8) == 0xf0 ? 3
                                           : 4;
    if (extra == 4 || text.size() - i <= extra) return false;
    uint32_t point = extra == 0 ? lead : lead & (0x7fu >> (extra + 1));
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      point = (point << 6) | (next & 0x3fu);
    }
    if (point < kSmallest[extra] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
      return false;  // overlong, beyond Unicode, or a surrogate
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace fieldcrm
