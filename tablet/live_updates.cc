#include "live_updates.h"

#include "app_state.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/sync/live_sync.h"
#include "fieldcrm/sync/protocol.h"

namespace fieldcrm::tablet {

LiveUpdates::~LiveUpdates() {
  Stop();
}

void LiveUpdates::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = finished_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LiveUpdates::ServerChanged() {
  std::lock_guard lock(mutex_);
  changed_ = true;
  for (sync::Transport* transport : open_) transport->Cancel();
  wake_.notify_all();
}

void LiveUpdates::Stop() {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable()) return;
  stop_ = true;
  wake_.notify_all();
  // Cancelling again until the thread ends: a request may have begun just after a cancel.
  while (!finished_) {
    for (sync::Transport* transport : open_) transport->Cancel();
    wake_.wait_for(lock, std::chrono::milliseconds(50));
  }
  lock.unlock();
  thread_.join();
}

bool LiveUpdates::Interrupted() {
  std::lock_guard lock(mutex_);
  return stop_ || changed_;
}

std::optional<sync::ServerSettings> LiveUpdates::Remembered() {
  std::lock_guard lock(state_.mutex);
  if (!state_.session) return std::nullopt;
  try {
    return sync::RememberedServer(state_.session->store(), {});
  } catch (const InvalidInput&) {
    return std::nullopt;  // no head office yet
  }
}

void LiveUpdates::Follow(const sync::ServerSettings& server) {
  auto noted = [this](const std::string& why) {
    std::lock_guard lock(state_.mutex);
    if (!NoteWiped(state_, why) && state_.wiped.empty()) NoteOffline(state_, why);
  };
  try {
    auto transport = sync::MakeHttpTransport(server.url, server.token, server.ca_file);
    // The watches wait up to kDefaultWatchMs for the server: their answers get 15 s more.
    auto watch_transport =
        sync::MakeHttpTransport(server.url, server.token, server.ca_file,
                                static_cast<int>(sync::kDefaultWatchMs / 1000 + 15));
    {
      std::lock_guard lock(mutex_);
      if (stop_ || changed_) return;
      open_ = {transport.get(), watch_transport.get()};
    }
    sync::LiveSyncOptions live;
    live.sync = AppSyncOptions(state_);
    live.stopped = [this] { return Interrupted(); };
    live.synced = [this](const sync::SessionSyncReport& outcome) {
      std::lock_guard lock(state_.mutex);
      NoteSynced(state_, outcome);
    };
    live.failed = [this](const std::string& why) {
      std::lock_guard lock(state_.mutex);
      NoteOffline(state_, why);
    };
    auto app_session = [this](const std::function<void(Session&)>& step) {
      std::lock_guard lock(state_.mutex);
      // Gone when the sync button's sync found the tablet wiped.
      if (!state_.session) throw InvalidInput("the store was closed");
      try {
        step(*state_.session);
      } catch (const std::exception& e) {
        // A sync that wiped the store closes the session before the lock goes: no request in
        // between finds a session whose files are gone.
        NoteWiped(state_, e.what());
        throw;
      }
    };
    try {
      sync::KeepInSync(app_session, *transport, *watch_transport, live);
    } catch (const std::exception& e) {
      if (!Interrupted()) noted(e.what());
    }
    std::lock_guard lock(mutex_);
    open_.clear();
  } catch (const std::exception& e) {  // a remembered address the transport refuses
    noted(e.what());
  }
}

void LiveUpdates::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    changed_ = false;
    lock.unlock();
    if (auto server = Remembered()) Follow(*server);
    lock.lock();
    // Until something changes: the set-up of a store or a server, or the stop.
    wake_.wait(lock, [this] { return stop_ || changed_; });
  }
  finished_ = true;
  wake_.notify_all();
}

}  // namespace fieldcrm::tablet
