#include "fieldcrm/tablet/board.h"

#include <algorithm>

#include "fieldcrm/plugin_host/tiers.h"

namespace fieldcrm::tablet {

Board::Board(SessionOptions options, std::chrono::milliseconds period)
    : options_(std::move(options)), period_(period) {}

Board::~Board() {
  Stop();
}

void Board::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  refresh_asked_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Board::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Board::RefreshAll() {
  {
    std::lock_guard lock(mutex_);
    refresh_asked_ = true;
  }
  wake_.notify_all();
}

Board::Snapshot Board::Compute(Session& session, const std::optional<std::string>& only) {
  Snapshot snapshot;
  PluginHost& host = session.plugins();
  if (LoadedPlugin* tiering = host.FirstOfKind("tiering")) {
    snapshot.grades = GradeStore(session.store(), *tiering, session.AsOfMs(), only);
  }
  for (DueAlert& alert : CollectAlerts(session.store(), host, session.AsOfMs(), only).alerts) {
    snapshot.alerts[alert.customer].push_back(std::move(alert));
  }
  return snapshot;
}

void Board::RefreshCustomer(Session& session, const std::string& root) {
  Snapshot one = Compute(session, root);
  std::lock_guard lock(mutex_);
  refreshed_[root] = ++generation_;
  snapshot_.grades.erase(root);
  snapshot_.alerts.erase(root);
  snapshot_.grades.merge(one.grades);
  snapshot_.alerts.merge(one.alerts);
}

void Board::Run() {
  // Its own session: the app's is used by requests meanwhile (a Session is single-threaded).
  SessionOptions options = options_;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!refresh_asked_) wake_.wait_for(lock, period_);
    if (stop_) break;
    refresh_asked_ = false;
    uint64_t started = generation_;
    lock.unlock();
    std::optional<Snapshot> fresh;
    std::optional<std::string> error;
    try {
      Session session(options);  // now is read anew for each pass
      fresh = Compute(session, std::nullopt);
    } catch (const std::exception& e) {
      error = e.what();
    }
    lock.lock();
    last_error_ = error;
    if (!fresh) continue;
    // Customers refreshed after this pass began keep their fresher values.
    for (const auto& [customer, generation] : refreshed_) {
      if (generation <= started) continue;
      fresh->grades.erase(customer);
      fresh->alerts.erase(customer);
      if (auto g = snapshot_.grades.find(customer); g != snapshot_.grades.end()) {
        fresh->grades.insert(*g);
      }
      if (auto a = snapshot_.alerts.find(customer); a != snapshot_.alerts.end()) {
        fresh->alerts.insert(*a);
      }
    }
    std::erase_if(refreshed_, [started](const auto& r) { return r.second <= started; });
    snapshot_ = std::move(*fresh);
    ready_ = true;
  }
}

bool Board::ready() const {
  std::lock_guard lock(mutex_);
  return ready_;
}

std::optional<std::string> Board::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

std::optional<sdk::TierGrade> Board::Grade(const std::string& root) const {
  std::lock_guard lock(mutex_);
  auto it = snapshot_.grades.find(root);
  if (it == snapshot_.grades.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Board::OfTier(char tier, int limit) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (auto it = snapshot_.grades.rbegin();
       it != snapshot_.grades.rend() && static_cast<int>(ids.size()) < limit; ++it) {
    if (it->second.tier == tier) ids.push_back(it->first);
  }
  return ids;
}

std::vector<DueAlert> Board::Alerts(const std::string& agent) const {
  std::vector<DueAlert> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [customer, alerts] : snapshot_.alerts) {
      for (const DueAlert& alert : alerts) {
        if (agent.empty() || alert.agent == agent) out.push_back(alert);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const DueAlert& a, const DueAlert& b) {
    return std::tie(a.due_ms, a.customer, a.rule) < std::tie(b.due_ms, b.customer, b.rule);
  });
  return out;
}

}  // namespace fieldcrm::tablet
