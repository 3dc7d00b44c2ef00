#include "fieldcrm/storage/hlc.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace fieldcrm {

int64_t SystemMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string HlcToIso(Hlc hlc) {
  int64_t ms = HlcMillis(hlc);
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
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
