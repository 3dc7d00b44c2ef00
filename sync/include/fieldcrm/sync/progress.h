// How far a sync has got, in figures a person can read: changes and bytes done, and the rate
// and time left of the direction under way (sending this tablet's changes, or receiving the
// server's). SyncClient fills it after each batch sent and each page received, hands it to
// SyncOptions::progress (the CLI draws it, the tablet app shows it) and keeps it on the store in
// the transaction that moves the cursor, so that `fieldcrm status` in another process shows the
// sync running now, or how the last one ended.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fieldcrm/storage/store.h"

namespace fieldcrm::sync {

inline constexpr const char* kProgressKey = "sync.progress";  // meta key of the record

struct SyncProgress {
  // "running", "done" or "failed"; LastProgress reads a running record whose process is gone
  // as "interrupted".
  std::string state = "running";
  std::string direction;       // "send" or "receive": the one under way, or the last one
  int64_t to_send = 0;         // own changes this sync sends (those acknowledged included)
  int64_t sent = 0;            // of them answered for by the server (acknowledged or refused)
  int64_t received = 0;        // changes new to this tablet, applied
  int64_t pull_head = 0;       // the server's log position at its latest answer
  int64_t pull_at = 0;         // the position received up to
  int64_t direction_from = 0;  // sent, or pull_at, when the direction under way began
  int64_t bytes_sent = 0;      // request bodies (JSON before gzip)
  int64_t bytes_received = 0;  // answer bodies (JSON after gunzip)
  int64_t started_ms = 0;      // this tablet's clock: the sync began
  int64_t direction_started_ms = 0;
  int64_t updated_ms = 0;
  int64_t pid = 0;    // the process running the sync
  std::string error;  // why it failed

  // The direction's units (own changes sending; server log positions receiving): done so far
  // and done when it is complete.
  int64_t Done() const { return direction == "send" ? sent : pull_at; }
  int64_t Total() const { return direction == "send" ? to_send : pull_head; }
  // Of the direction under way, from 0 to 1.
  double Fraction() const;
  // Units per second in the direction under way; 0 before anything is done.
  double Rate() const;
  // Seconds left at that rate; nullopt while no rate is known.
  std::optional<int64_t> SecondsLeft() const;
  // One line: "sent 1500/3000 changes, 412 KB, 2100 changes/s, 1 s left" or "received 1000
  // changes (server position 1200 of 5000), 300 KB, 900 changes/s, 4 s left"; "..., in 2 s"
  // once the direction is complete.
  std::string Line() const;
  nlohmann::json ToJson() const;
  static SyncProgress FromJson(const nlohmann::json& json);
};

// "12 B", "412 KB", "3.4 MB" (powers of 1000).
std::string DescribeBytes(int64_t bytes);

// The record of the store's running or last sync; nullopt before its first. A "running" record
// of a process that no longer exists (killed mid-sync) reads as "interrupted".
std::optional<SyncProgress> LastProgress(Store& store);

}  // namespace fieldcrm::sync
