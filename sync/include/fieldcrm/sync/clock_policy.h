// Clock skew. An HLC stamp carries wall time, so a tablet whose clock runs days ahead would win
// every last-writer-wins comparison for days, and its stamps can never be rewritten ((device, seq)
// content is immutable). The server therefore refuses a push stamped further ahead of its own
// clock than a bound, and the client compares its clock with the server's before pushing and
// stops with advice instead of sending. Clocks running behind only make that tablet's own edits
// lose ties, so they are allowed and warned about.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "fieldcrm/storage/change.h"

namespace fieldcrm::sync {

constexpr int64_t kDefaultMaxClockAheadMs = 5 * 60 * 1000;

// "3 days", "2 hours", "40 minutes", "12 seconds": for messages.
std::string DescribeDuration(int64_t ms);

// The first change stamped more than max_ahead_ms after now_ms, if any.
std::optional<Change> FirstStampedAhead(std::span<const Change> changes, int64_t now_ms,
                                        int64_t max_ahead_ms);

// The server's refusal of such a change.
std::string StampedAheadMessage(const Change& change, int64_t now_ms);

// The client's refusal to push when its clock is `skew_ms` ahead of the server's.
std::string ClockAheadMessage(int64_t skew_ms, int64_t server_ms);

}  // namespace fieldcrm::sync
