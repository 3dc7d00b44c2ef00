#include "fieldcrm/sync/clock_policy.h"

#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::sync {

std::string DescribeDuration(int64_t ms) {
  struct Unit {
    int64_t ms;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {86400000, "day"}, {3600000, "hour"}, {60000, "minute"}, {1000, "second"}};
  for (const Unit& unit : kUnits) {
    if (ms >= unit.ms || unit.ms == 1000) {
      int64_t n = (ms + unit.ms / 2) / unit.ms;  // to the nearest: 4 d 23:59:59 is "5 days"
      return std::to_string(n) + " " + unit.name + (n == 1 ? "" : "s");
    }
  }
  return {};
}

int64_t ClockOffsetFor(int64_t skew_ms) {
  constexpr int64_t kNetworkDelayMs = 2000;
  return skew_ms > -kNetworkDelayMs && skew_ms < kNetworkDelayMs ? 0 : skew_ms;
}

std::optional<Change> FirstStampedAhead(std::span<const Change> changes, int64_t now_ms,
                                        int64_t max_ahead_ms) {
  for (const Change& c : changes) {
    if (HlcMillis(c.hlc) > now_ms + max_ahead_ms) return c;
  }
  return std::nullopt;
}

std::string StampedAheadMessage(const Change& change, int64_t now_ms) {
  return "change " + change.device + "/" + std::to_string(change.seq) + " is stamped " +
         HlcToIso(change.hlc) + ", " + DescribeDuration(HlcMillis(change.hlc) - now_ms) +
         " ahead of the server's clock (" + HlcToIso(HlcFromMillis(now_ms)) +
         "): the tablet's clock was wrong when it was made. Update fieldcrm on the tablet: it "
         "stamps such changes again before it sends them";
}

std::string ClockSkewWarning(int64_t skew_ms, int64_t restamped) {
  std::string warning = "this tablet's clock is " +
                        DescribeDuration(skew_ms < 0 ? -skew_ms : skew_ms) +
                        (skew_ms < 0 ? " behind" : " ahead of") +
                        " the server's: fieldcrm stamps changes with the server's time until the "
                        "next sync; set the tablet's correct date and time";
  if (restamped > 0) {
    warning += " (" + std::to_string(restamped) +
               " changes stamped ahead meanwhile were stamped again with the server's time)";
  }
  return warning;
}

}  // namespace fieldcrm::sync
