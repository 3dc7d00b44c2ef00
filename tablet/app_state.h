// What the app's request handlers share (private to tablet/): the session over the store, kept
// open for the app's life; the board of tiers and alerts; the sync's progress. Requests are
// served one at a time on the session (Route holds `mutex`), except the progress poll.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/application/session.h"
#include "fieldcrm/sync/progress.h"
#include "fieldcrm/sync/session_sync.h"
#include "fieldcrm/tablet/board.h"
#include "live_updates.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace fieldcrm::tablet {

// How far the running sync (the button's or a live update's) has got, read by the progress poll
// while the sync holds `mutex`: its lines since the button's sync began, and the latest figures.
class SyncProgressLog {
 public:
  void Begin();
  void Add(const sync::SyncProgress& progress);
  void End();
  nlohmann::json Json() const;

 private:
  mutable std::mutex mutex_;
  bool running_ = false;
  std::vector<std::string> lines_;
  std::optional<sync::SyncProgress> latest_;
};

struct AppState {
  AppState(SessionOptions options, std::chrono::milliseconds board_period);

  SessionOptions options;
  std::mutex mutex;
  std::unique_ptr<Session> session;  // null until the store exists (first-start set-up)
  Board board;
  SyncProgressLog progress;
  std::string wiped;           // what the lost-tablet wipe deleted, shown until the next set-up
  std::optional<bool> online;  // whether the last sync reached head office (nullopt: not tried)
  std::string last_sync_error;
  bool live_on = false;     // whether live updates run (AppOptions::live)
  LiveUpdates live{*this};  // last: its thread stops before what it uses goes
};

// What follows a sync or its failure on the app's state; callers hold `mutex`.
// The options of every sync of the app (the button's, live updates'): its progress lines.
sync::SyncOptions AppSyncOptions(AppState& state);
// After a sync: online (unless the push was refused), and the board recomputed when something
// arrived that can change tiers and alerts.
void NoteSynced(AppState& state, const sync::SessionSyncReport& outcome);
// After a sync that could not reach head office: offline, and why.
void NoteOffline(AppState& state, const std::string& why);
// After a sync threw: when the store is gone (head office wiped this tablet) closes what was
// open on it and keeps `why` for the set-up screen; returns whether it was.
bool NoteWiped(AppState& state, const std::string& why);

struct Reply {
  int status = 200;
  nlohmann::json body;
};
using ApiHandler = std::function<Reply(const httplib::Request&, AppState&)>;

// Registers an API route: the handler runs with the session locked (`needs_store`: answering 409
// until the set-up created the store), its errors become 4xx/5xx JSON with the message.
void Route(httplib::Server& http, AppState& state, const std::string& method,
           const std::string& pattern, bool needs_store, ApiHandler handler);

// The request's JSON object body; throws InvalidInput when it is not one.
nlohmann::json Body(const httplib::Request& req);
// A string member of body ("" when missing); throws InvalidInput when it is not text.
std::string Text(const nlohmann::json& body, const char* key);

void RegisterCustomerApi(httplib::Server& http, AppState& state);
void RegisterSyncApi(httplib::Server& http, AppState& state);

}  // namespace fieldcrm::tablet
