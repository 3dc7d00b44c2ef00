#include "fieldcrm/sync/client.h"

#include <unistd.h>

#include <algorithm>
#include <future>
#include <sstream>

#include "fieldcrm/application/session.h"
#include "fieldcrm/storage/clock_correction.h"
#include "fieldcrm/sync/clock_policy.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

ProtocolError BadResponse(const std::string& what) {
  return ProtocolError(502, "bad_response",
                       "unexpected answer from the server (" + what +
                           "): is the URL a fieldcrm server of a compatible version?");
}

// Up to `batch` own changes numbered after after_seq, extended so that the fields a record got
// in one write travel together: the server scopes a new customer by the team written with it.
std::vector<Store::LoggedChange> OwnBatch(Store& store, int64_t after_seq, int64_t batch) {
  auto entries = store.ReadOwnLog(after_seq, batch + kMaxPushChanges - kMaxBatch);
  size_t cut = std::min(entries.size(), static_cast<size_t>(batch));
  while (cut > 0 && cut < entries.size() &&
         entries[cut].change.record == entries[cut - 1].change.record) {
    ++cut;
  }
  entries.resize(cut);
  return entries;
}

// The sequence number the unsent own changes follow: none after a reset of the push cursor (a
// new server, --full), when everything own still in the log goes again, gaps that compaction
// left among the numbers included; else the last one pushed.
int64_t UnsentAfterSeq(Store& store) {
  return std::stoll(store.GetMeta(kPushCursorKey).value_or("0")) == 0 ? 0 : PushedSeq(store);
}

// The body of a 200 answer; else throws the server's refusal as a ProtocolError.
json Answer(HttpReply reply, const std::string& path) {
  if (reply.status == 200 && reply.body.is_object()) return std::move(reply.body);
  const json* error = nullptr;
  if (reply.body.is_object() && reply.body.contains("error")) error = &reply.body["error"];
  if (error && error->is_object() && error->value("code", json()).is_string() &&
      error->value("message", json()).is_string()) {
    throw ProtocolError(reply.status, (*error)["code"].get<std::string>(),
                        (*error)["message"].get<std::string>());
  }
  throw BadResponse("HTTP " + std::to_string(reply.status) + " to " + path);
}

}  // namespace

WatchRequest NextWatch(Store& store, int64_t wait_ms) {
  return {store.device().id, std::stoll(store.GetMeta(kPullCursorKey).value_or("0")), wait_ms};
}

WatchAnswer Watch(Transport& transport, const WatchRequest& request) {
  std::string path = WatchPath(request);
  return ParseWatchAnswer(Answer(transport.Get(path), path));
}

int64_t PushedSeq(Store& store) {
  if (auto pushed = store.GetMeta(kPushedSeqKey)) return std::stoll(*pushed);
  // A store whose pushes predate the key: compaction removes only own changes the push cursor
  // covers, and own changes are numbered without gaps, so those after it are the last ones.
  int64_t pos = std::stoll(store.GetMeta(kPushCursorKey).value_or("0"));
  return pos == 0 ? 0 : store.LastOwnSeq() - store.OwnChangesAfter(pos);
}

int64_t PendingChanges(Store& store) {
  return store.LastOwnSeq() - PushedSeq(store);
}

SyncClient::SyncClient(Store& store, Transport& transport, SyncOptions options)
    : store_(store), transport_(transport), options_(std::move(options)) {
  progress_.pid = getpid();
  progress_.started_ms = store_.env().NowMillis();
}

void SyncClient::BeginDirection(const char* direction, int64_t from) {
  progress_.direction = direction;
  progress_.direction_from = from;
  progress_.direction_started_ms = store_.env().NowMillis();
}

void SyncClient::SaveProgress() {
  progress_.updated_ms = store_.env().NowMillis();
  progress_.bytes_sent = bytes_sent_;
  progress_.bytes_received = bytes_received_;
  store_.SetMeta(kProgressKey, progress_.ToJson().dump());
}

void SyncClient::ShowProgress() {
  if (options_.progress) options_.progress(progress_);
}

void SyncClient::NoteFailure(const std::string& why) {
  progress_.state = "failed";
  progress_.error = why;
  try {
    SaveProgress();
  } catch (const std::exception&) {  // the store itself failing: the sync's error says why
  }
  ShowProgress();
}

int64_t SyncClient::Cursor(const char* key) {
  return std::stoll(store_.GetMeta(key).value_or("0"));
}

int64_t SyncClient::Wall() const {
  return options_.wall ? options_.wall() : store_.env().NowMillis();
}

json SyncClient::Call(const std::string& path, const json* body) {
  HttpReply reply = body ? transport_.Post(path, *body) : transport_.Get(path);
  bytes_sent_ += reply.bytes_sent;
  bytes_received_ += reply.bytes_received;
  if (body && reply.status == 413 && reply.body.is_object() &&
      reply.body.value(json::json_pointer("/error/code"), json()) == kInflatesTooFar) {
    // Text that compresses extremely well looks like a gzip bomb: plain it fits the limits.
    transport_.CompressRequests(false);
    reply = transport_.Post(path, *body);
    bytes_sent_ += reply.bytes_sent;
    bytes_received_ += reply.bytes_received;
  }
  if (reply.server_time_ms) {
    std::lock_guard lock(server_time_mutex_);
    server_time_ms_ = *reply.server_time_ms;
    server_time_seen_at_ms_ = Wall();
  }
  return Answer(std::move(reply), path);
}

void SyncClient::CheckServer() {
  json health = Call(kHealthPath, nullptr);
  auto integer = [&](const char* name) {
    auto it = health.find(name);
    if (it == health.end() || !it->is_number_integer()) throw BadResponse(name);
    return it->get<int64_t>();
  };
  if (integer("min_protocol") > kProtocolVersion) {
    throw ProtocolError(426, "upgrade_required",
                        "the server needs sync protocol " +
                            std::to_string(integer("min_protocol")) +
                            " or newer: upgrade fieldcrm on this tablet");
  }
  auto id = health.find("server_id");
  if (id == health.end() || !id->is_string()) throw BadResponse("server_id");
  auto known = store_.GetMeta(kServerIdKey);
  if (options_.full || (known && *known != id->get<std::string>())) {
    // Another server (or a full resync asked for): positions mean nothing there, start over.
    Transaction txn = store_.Transact();
    // Everything own still in the log goes again: what compaction removed was superseded.
    store_.SetMeta(kPushedSeqKey, std::to_string(store_.LastOwnSeq() - store_.OwnChangesAfter(0)));
    store_.SetMeta(kPushCursorKey, "0");
    store_.SetMeta(kPullCursorKey, "0");
    store_.DeleteMeta(kSnapshotKey);  // a snapshot of that server, or of the history redone
    store_.SetMeta(kServerIdKey, id->get<std::string>());
    txn.Commit();
  } else if (!known) {
    store_.SetMeta(kServerIdKey, id->get<std::string>());
  }
  max_clock_ahead_ms_ = integer("max_clock_ahead_ms");
  {
    std::lock_guard lock(server_time_mutex_);
    server_time_ms_ = integer("server_time");  // the same as its header says
    server_time_seen_at_ms_ = Wall();
  }
  transport_.CompressRequests(health.value("gzip", false) == true);
}

bool SyncClient::Push(SyncReport& report) {
  int64_t total = PendingChanges(store_);
  if (total == 0) return true;  // nothing to read from the log
  BeginDirection("send", progress_.sent);
  progress_.to_send = progress_.sent + total;
  auto prepare = [this](int64_t after_seq) {
    PendingBatch batch{OwnBatch(store_, after_seq, options_.batch), {}};
    PushRequest request{store_.device().id, {}};
    for (const auto& entry : batch.entries) request.changes.push_back(entry.change);
    batch.body = ToJson(request);
    return batch;
  };
  PendingBatch batch = prepare(UnsentAfterSeq(store_));
  while (!batch.entries.empty()) {
    // The next batch is read and encoded while this one travels and the server applies it.
    std::future<json> answer =
        std::async(std::launch::async, [this, &batch] { return Call(kPushPath, &batch.body); });
    PendingBatch next = prepare(batch.entries.back().change.seq);
    PushAck ack;
    try {
      ack = ParsePushAck(answer.get());
    } catch (const ProtocolError& e) {
      if (e.code() != "clock_ahead") throw;
      report.push_error = e.what();
      return false;
    }
    Transaction moved = store_.Transact();
    store_.SetMeta(kPushCursorKey, std::to_string(batch.entries.back().pos));
    store_.SetMeta(kPushedSeqKey, std::to_string(batch.entries.back().change.seq));
    progress_.sent += static_cast<int64_t>(batch.entries.size());
    SaveProgress();
    moved.Commit();
    ShowProgress();
    report.sent += static_cast<int64_t>(batch.entries.size() - ack.refused.size());
    report.merged += ack.merged;
    report.refused.insert(report.refused.end(), ack.refused.begin(), ack.refused.end());
    batch = std::move(next);
  }
  return true;
}

void SyncClient::Bootstrap(SyncReport& report) {
  int64_t at = 0;
  int64_t after = 0;
  if (auto unfinished = store_.GetMeta(kSnapshotKey))
    std::istringstream(*unfinished) >> at >> after;
  BeginDirection("receive", after);
  progress_.pull_at = after;
  auto fetch = [this](int64_t snapshot_at, int64_t page_after) {
    json body =
        ToJson(SnapshotRequest{store_.device().id, snapshot_at, page_after, options_.batch});
    return ParseSnapshotPage(Call(kSnapshotPath, &body));
  };
  SnapshotPage page;
  try {
    page = fetch(at, after);
  } catch (const ProtocolError& e) {
    if (e.status() != 404) throw;
    report.snapshot_fallback =
        "the server has no snapshot bootstrap (upgrade fieldcrm-server for a faster first sync): "
        "received the whole history instead";
    return;
  }
  while (true) {
    // A server that cannot serve the position asked for (a store restored from an older
    // backup) starts a new snapshot: what was installed of the old one merges like any change.
    std::future<SnapshotPage> next;
    if (page.more) next = std::async(std::launch::async, fetch, page.at, page.next);
    Transaction txn = store_.Transact();
    int64_t head = store_.LogHead();
    ApplyStats stats = store_.ApplySnapshot(page.changes, page.conflicts);
    if (stats.applied > 0) NoteReceivedForReview(store_, head);
    report.received += stats.applied;
    report.erased += stats.erased.instructions;
    report.erased_records += stats.erased.records;
    progress_.received += stats.applied;
    if (page.more) {
      store_.SetMeta(kSnapshotKey, std::to_string(page.at) + " " + std::to_string(page.next));
    } else {
      // Complete: the pull goes on from the snapshot's position, in the same transaction.
      store_.DeleteMeta(kSnapshotKey);
      store_.SetMeta(kPullCursorKey, std::to_string(page.at));
      report.snapshot_at = page.at;
    }
    progress_.pull_at = page.next;
    progress_.pull_head = page.at;
    SaveProgress();
    txn.Commit();
    ShowProgress();
    if (!page.more) return;
    page = next.get();
  }
}

void SyncClient::Pull(SyncReport& report) {
  if (options_.snapshot && Cursor(kPullCursorKey) == 0) Bootstrap(report);
  int64_t cursor = Cursor(kPullCursorKey);
  BeginDirection("receive", cursor);
  progress_.pull_at = cursor;
  auto fetch = [this](int64_t after, std::optional<int64_t> pending) {
    json body =
        ToJson(PullRequest{store_.device().id, after, options_.batch, pending, kClientVersion});
    return ParsePullPage(Call(kPullPath, &body));
  };
  PullPage page = fetch(cursor, PendingChanges(store_));
  while (true) {
    // The next page travels while this one is applied: server and tablet work at the same time.
    // (Only the first request reports the pending count: the store is busy meanwhile.)
    std::future<PullPage> next;
    if (page.more) next = std::async(std::launch::async, fetch, page.next, std::nullopt);
    Transaction txn = store_.Transact();
    if (!page.changes.empty()) {
      int64_t head = store_.LogHead();
      ApplyStats stats = store_.ApplyRemote(page.changes);
      if (stats.applied > 0) NoteReceivedForReview(store_, head);
      report.received += stats.applied;
      report.merged += stats.merged_duplicates;
      report.erased += stats.erased.instructions;
      report.erased_records += stats.erased.records;
      progress_.received += stats.applied;
    }
    store_.SetMeta(kPullCursorKey, std::to_string(page.next));
    progress_.pull_at = page.next;
    // The head as the server saw it; the last page reaches it (what lies between belongs to
    // other teams or this tablet, and is skipped).
    progress_.pull_head = page.more ? std::max(page.head, page.next) : page.next;
    SaveProgress();
    txn.Commit();
    ShowProgress();
    if (!page.more) return;
    page = next.get();
  }
}

int64_t SyncClient::CorrectClock(SyncReport& report) {
  int64_t server_now;
  {
    std::lock_guard lock(server_time_mutex_);
    report.clock_skew_ms = server_time_seen_at_ms_ - server_time_ms_;
    server_now = Wall() - report.clock_skew_ms;
  }
  // From now on this tablet stamps with the server's time; what it stamped beyond the server's
  // bound, which no one has seen (every batch holding such a stamp is refused whole), is stamped
  // again before it leaves.
  Transaction txn = store_.Transact();
  store_.SetMeta(kClockSkewKey, std::to_string(report.clock_skew_ms));
  SetClockOffset(store_, ClockOffsetFor(report.clock_skew_ms));
  int64_t restamped = RestampUnsent(store_, UnsentAfterSeq(store_),
                                    HlcFromMillis(server_now + max_clock_ahead_ms_));
  txn.Commit();
  report.restamped += restamped;
  return restamped;
}

SyncReport SyncClient::Run() {
  try {
    progress_.state = "running";
    SaveProgress();
    SyncReport report = Exchange();
    Transaction done = store_.Transact();
    store_.SetMeta(kLastSyncKey, store_.env().NowIso());
    progress_.state = "done";
    SaveProgress();
    done.Commit();
    ShowProgress();
    // The erased values are rewritten in the file; the WAL still holds the pages before.
    if (report.erased_records > 0) store_.PurgeErasedBytes();
    return report;
  } catch (const std::exception& e) {
    NoteFailure(e.what());
    throw;
  }
}

SyncReport SyncClient::Exchange() {
  SyncReport report;
  int64_t conflicts_before = store_.ConflictCount();
  CheckServer();
  CorrectClock(report);
  bool can_push = true;
  // Applying a pull may merge duplicates here, which are new own changes: send them too.
  for (int round = 0; round < 3; ++round) {
    if (can_push) {
      can_push = Push(report);
      // Refused as stamped ahead: a clock (this one or the server's) moved since the sync began.
      // The refusal carried the server's time: stamp again by it and try once more.
      if (!can_push && CorrectClock(report) > 0) {
        report.push_error.clear();
        can_push = Push(report);
      }
    }
    Pull(report);
    if (!can_push || PendingChanges(store_) == 0) break;
  }
  // An erasure drops kept conflicts: count only those this sync added.
  report.conflicts = std::max<int64_t>(0, store_.ConflictCount() - conflicts_before);
  return report;
}

}  // namespace fieldcrm::sync
