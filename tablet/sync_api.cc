// The API of the sync screens: the status line, the first-start set-up, the sync button (with its
// progress and the lost-tablet wipe) and the conflicts view.
#include <httplib.h>

#include <filesystem>

#include "app_state.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/plugin_host/plugin_signature.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/conflicts.h"
#include "fieldcrm/sync/session_sync.h"

namespace fieldcrm::tablet {

using nlohmann::json;

namespace {

Reply Status(const httplib::Request&, AppState& state) {
  json status = {{"set_up", false}, {"wiped", state.wiped}};
  if (state.session) {
    Store& store = state.session->store();
    status = sync::SyncStatus(store);
    status["set_up"] = !status.value("server", "").empty();
    status["wiped"] = "";
    // Grows with every change the store takes (a sync's, another program's): the page redraws
    // what it shows when it moved.
    status["data_version"] = store.LogHead();
  }
  status["live"] = state.live_on;
  status["online"] = state.online ? json(*state.online) : json();
  status["last_sync_error"] = state.last_sync_error;
  status["tiers_ready"] = state.board.ready();
  return {200, status};
}

// First start: creates the store for this tablet (when there is none) and remembers head
// office's address, this tablet's token and (optionally) head office's plugin-signing key;
// later, changes them.
Reply SetUp(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  sync::ServerSettings server{Text(body, "server"), Text(body, "token"), "",
                              Text(body, "head_office_key")};
  if (!server.url.starts_with("http://") && !server.url.starts_with("https://")) {
    throw InvalidInput("the server address starts with https:// (or http://), got '" + server.url +
                       "'");
  }
  if (server.token.empty()) throw InvalidInput("enter the token head office gave this tablet");
  if (!server.head_office_key.empty()) CheckPublicKey(server.head_office_key);
  if (!state.session) {
    DeviceInfo device{"", Text(body, "device"), Text(body, "agent"), Text(body, "team")};
    if (device.name.empty()) throw InvalidInput("give this tablet a name (e.g. booth-3)");
    CreateCustomerStore(state.options.db_path, device);  // closed again: the session opens it
    state.session = std::make_unique<Session>(state.options);
    state.board.Start();
  }
  sync::RememberServer(state.session->store(), server);
  state.wiped.clear();
  state.live.ServerChanged();
  return {200, {{"ok", true}}};
}

Reply RunSync(const httplib::Request&, AppState& state) {
  Session& session = *state.session;
  sync::ServerSettings settings = sync::RememberedServer(session.store(), {});
  state.progress.Begin();
  struct EndProgress {
    SyncProgressLog& progress;
    ~EndProgress() { progress.End(); }
  } end{state.progress};
  try {
    auto transport = sync::MakeHttpTransport(settings.url, settings.token, settings.ca_file);
    sync::SessionSyncReport outcome = sync::SyncSession(session, *transport, AppSyncOptions(state));
    NoteSynced(state, outcome);
    const sync::SyncReport& r = outcome.sync;
    return {200,
            {{"sent", r.sent},
             {"received", r.received},
             {"conflicts", r.conflicts},
             {"merged", r.merged},
             {"refused", r.refused.size()},
             {"error", r.push_error},
             {"warnings", outcome.warnings}}};
  } catch (const sync::NetworkError& e) {
    NoteOffline(state, e.what());
    throw;
  } catch (const InvalidInput& e) {
    if (!NoteWiped(state, e.what())) throw;
    return {410, {{"wiped", state.wiped}}};
  }
}

Reply Progress(const httplib::Request&, AppState& state) {
  return {200, state.progress.Json()};
}

Reply Conflicts(const httplib::Request&, AppState& state) {
  Store& store = state.session->store();
  Customers customers(store);
  json out = json::array();
  for (const LostWrite& c : ListConflicts(store)) {
    json row = {{"record", c.record},
                {"kind", c.kind},
                {"field", c.field},
                {"lost_value", c.lost_value},
                {"lost_device", c.lost_device},
                {"lost_by_this_tablet", c.lost_device == store.device().id},
                {"lost_hlc", std::to_string(c.lost_hlc)},  // text: JSON numbers lose 64-bit digits
                {"lost_at_ms", HlcMillis(c.lost_hlc)},
                {"kept_value", c.kept_value},
                {"kept_device", c.kept_device},
                {"kept_at_ms", HlcMillis(c.kept_hlc)}};
    if (c.kind == "customer") {
      try {
        row["customer"] = customers.Resolve(c.record);
        row["customer_name"] = customers.Get(c.record).value("name", "");
      } catch (const NotFound&) {  // deleted since: the conflict is still listed
      }
    }
    out.push_back(std::move(row));
  }
  return {200, {{"conflicts", out}}};
}

Reply Restore(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  std::string hlc = Text(body, "lost_hlc");
  if (hlc.empty() || hlc.find_first_not_of("0123456789") != std::string::npos) {
    throw InvalidInput("'lost_hlc' must be the conflict's lost_hlc as listed");
  }
  std::string record = Text(body, "record");
  WriteOutcome restored = state.session->RestoreLostWrite(
      record, Text(body, "field"), std::stoull(hlc), Text(body, "lost_device"));
  state.board.RefreshAll();
  return {200, {{"id", restored.id}, {"warnings", restored.warnings}}};
}

}  // namespace

sync::SyncOptions AppSyncOptions(AppState& state) {
  sync::SyncOptions options;
  options.progress = [&state](const sync::SyncProgress& progress) { state.progress.Add(progress); };
  return options;
}

void NoteSynced(AppState& state, const sync::SessionSyncReport& outcome) {
  state.online = outcome.sync.push_error.empty();
  state.last_sync_error = outcome.sync.push_error;
  if (outcome.sync.received > 0 || outcome.plugins.changed()) state.board.RefreshAll();
}

void NoteOffline(AppState& state, const std::string& why) {
  state.online = false;
  state.last_sync_error = why;
}

bool NoteWiped(AppState& state, const std::string& why) {
  if (!state.session || std::filesystem::exists(state.options.db_path)) return false;
  // Head office revoked this tablet with --wipe: the store is gone, the agent is told.
  state.board.Stop();
  state.session.reset();
  state.wiped = why;
  return true;
}

void RegisterSyncApi(httplib::Server& http, AppState& state) {
  Route(http, state, "GET", "/api/status", false, Status);
  Route(http, state, "POST", "/api/setup", false, SetUp);
  Route(http, state, "POST", "/api/sync", true, RunSync);
  Route(http, state, "GET", "/api/conflicts", true, Conflicts);
  Route(http, state, "POST", "/api/conflicts/restore", true, Restore);
  // The progress poll reads what the running sync (holding the session) printed so far.
  http.Get("/api/sync/progress", [&state](const httplib::Request& req, httplib::Response& res) {
    res.set_content(Progress(req, state).body.dump(), "application/json");
  });
}

}  // namespace fieldcrm::tablet
