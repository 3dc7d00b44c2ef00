// Hybrid logical clock (Kulkarni et al.): timestamps that follow wall-clock time but never go
// backwards and always exceed every timestamp this replica has seen, so causally later writes
// sort later even when device clocks disagree a little.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fieldcrm/base/env.h"

namespace fieldcrm {

// Packed as (unix milliseconds << 16) | logical counter: one integer, compared as an integer.
using Hlc = uint64_t;

constexpr int kHlcCounterBits = 16;
inline Hlc HlcFromMillis(int64_t ms) {
  return static_cast<Hlc>(ms) << kHlcCounterBits;
}
inline int64_t HlcMillis(Hlc hlc) {
  return static_cast<int64_t>(hlc >> kHlcCounterBits);
}
// ISO-8601 UTC with milliseconds, for people reading logs.
std::string HlcToIso(Hlc hlc);

class HybridClock {
 public:
  using WallClock = std::function<int64_t()>;  // unix milliseconds
  explicit HybridClock(
      Hlc last = 0, WallClock wall = [] { return Env::Default().NowMillis(); })
      : last_(last), wall_(std::move(wall)) {}

  // A fresh timestamp for a local event: later than anything seen, close to wall time.
  Hlc Now();
  // Takes note of a timestamp received from another replica.
  void Observe(Hlc remote);
  Hlc last() const { return last_; }

 private:
  Hlc last_;
  WallClock wall_;
};

}  // namespace fieldcrm
