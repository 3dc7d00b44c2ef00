// Clock skew (docs/sync-protocol.md). An HLC stamp carries wall time, so a tablet whose clock
// runs days ahead would win every last-writer-wins comparison for days, and once a stamp is
// shared it can never be rewritten ((device, seq) content is immutable). The server therefore
// refuses whole any push stamped further ahead of its own clock than a bound, so a far-future
// stamp never enters the shared history. The tablet heals itself: every sync measures its clock
// against the server's, stamps from then on with the corrected time (SetClockOffset), and
// stamps again, before sending, its changes stamped beyond the bound (RestampUnsent,
// fieldcrm/storage/clock_correction.h): no
// one has seen them, since every batch holding one was refused.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fieldcrm/storage/change.h"

namespace fieldcrm::sync {

constexpr int64_t kDefaultMaxClockAheadMs = 5 * 60 * 1000;
// The most head office may set the bound to (fieldcrm-server serve --max-clock-ahead): a wider
// bound would let stamps that far ahead into everyone's history and clocks.
constexpr int64_t kMaxClockAheadLimitMs = 60 * 60 * 1000;

// The correction a tablet applies to its clock for a measured skew (its clock minus the
// server's): none within a couple of seconds, which is only the network's delay.
int64_t ClockOffsetFor(int64_t skew_ms);

// "3 days", "2 hours", "40 minutes", "12 seconds": for messages.
std::string DescribeDuration(int64_t ms);

// The first change stamped more than max_ahead_ms after now_ms, if any.
std::optional<Change> FirstStampedAhead(std::span<const Change> changes, int64_t now_ms,
                                        int64_t max_ahead_ms);

// The server's refusal of such a change.
std::string StampedAheadMessage(const Change& change, int64_t now_ms);

// What a tablet whose clock is `skew_ms` off the server's is told after a sync, with how many of
// its changes were stamped again.
std::string ClockSkewWarning(int64_t skew_ms, int64_t restamped);

}  // namespace fieldcrm::sync
