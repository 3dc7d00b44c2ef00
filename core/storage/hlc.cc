#include "fieldcrm/storage/hlc.h"

#include <algorithm>

namespace fieldcrm {

std::string HlcToIso(Hlc hlc) {
  return IsoMillis(HlcMillis(hlc));
}

Hlc HybridClock::Now() {
  // Wall time wins when it is ahead; otherwise the counter moves us just past the last stamp.
  last_ = std::max(HlcFromMillis(wall_()), last_ + 1);
  return last_;
}

void HybridClock::Observe(Hlc remote) {
  last_ = std::max(last_, remote);
}

}  // namespace fieldcrm
