// A replica's state at one log position, as a new replica installs it instead of replaying the
// history up to there (docs/sync-protocol.md, "Snapshot bootstrap"): every field's winning write
// among the log entries up to that position, with its (device, seq) and stamps, and the conflicts
// kept for those fields. Installed through the merge function (Store::ApplySnapshot), so a change
// pulled or pushed afterwards meets the same stamps, and merges the same way, as on a replica
// that replayed the whole history.
#pragma once

#include <optional>
#include <string>

#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

// A same-field conflict as the merge keeps it (fieldcrm/storage/conflicts.h): the write that
// lost and the one that won when they met.
struct KeptConflict {
  std::string record;
  std::string field;
  Hlc loser_hlc = 0;
  std::string loser_device;
  std::optional<std::string> loser_value;  // canonical JSON; nullopt: the write removed the field
  Hlc winner_hlc = 0;
  std::string winner_device;
  std::optional<std::string> winner_value;

  bool operator==(const KeptConflict&) const = default;
};

}  // namespace fieldcrm
