// Correcting a device's clock from head office's (docs/sync-protocol.md, "Clock skew"). A sync
// measures how far the tablet's clock is off the server's; the store then stamps with its wall
// clock minus that offset, also offline until the next sync, and the changes it stamped too far
// ahead, which no one has seen yet, are stamped again before they are sent.
#pragma once

#include <cstdint>

#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// Meta key of the offset: this device's clock minus head office's, in ms (absent: 0).
inline constexpr const char* kClockOffsetKey = "clock_offset_ms";

// Wall time of a device whose clock is offset_ms ahead of head office's.
HybridClock::WallClock CorrectedWall(const Env& env, int64_t offset_ms);

int64_t ClockOffset(Store& store);
// Keeps the offset on the store (in the caller's transaction, if any) and stamps with it from now
// on; Store::Open applies the kept one.
void SetClockOffset(Store& store, int64_t offset_ms);

// Stamps again this device's changes numbered after after_seq (the last one the server holds),
// from the first one stamped after `ahead_of` on, with fresh stamps from the corrected clock, in
// their order and after every other stamp in the log, so every field keeps its winner; field
// states, bases and kept conflicts follow. Only changes no other replica has seen may be
// re-stamped: the caller vouches for that (a server refuses whole any batch stamped after
// `ahead_of`, and a tablet pushes in log order). Returns how many were re-stamped.
int64_t RestampUnsent(Store& store, int64_t after_seq, Hlc ahead_of);

}  // namespace fieldcrm
