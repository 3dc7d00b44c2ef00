#include "fieldcrm/base/env.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace fieldcrm {

namespace {

class SystemEnv final : public Env {
 public:
  int64_t NowMillis() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

}  // namespace

std::string Env::NowIso() const {
  return IsoMillis(NowMillis());
}

Env& Env::Default() {
  static SystemEnv system;
  return system;
}

std::string IsoMillis(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buffer;
}

}  // namespace fieldcrm
