// The agent's app: a web server on the tablet's loopback interface serving the compiled-in pages
// (tablet/web/) and their JSON API over one Session on the local store, kept open for the app's
// life. Security model: fieldcrm/tablet/request_guard.h; screens and API: docs/app.md.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "fieldcrm/application/session.h"

namespace fieldcrm::tablet {

struct AppOptions {
  SessionOptions session;  // db_path may not exist yet: the first-start set-up creates it
  std::string host = "127.0.0.1";
  int port = 0;        // 0: a free port
  std::string secret;  // "" = a new random one per launch
  std::chrono::milliseconds board_period = std::chrono::minutes(5);  // tiers and alerts refresh
  // Live updates: while head office is known, a colleague's change arrives without a tap on
  // 同步 Sync (a connection to head office stays open). false: only the button syncs.
  bool live = true;
};

class AppServer {
 public:
  // Throws InvalidInput for an address that is not loopback.
  explicit AppServer(AppOptions options);
  ~AppServer();
  AppServer(const AppServer&) = delete;
  AppServer& operator=(const AppServer&) = delete;

  // Binds the port; throws InvalidInput when it cannot.
  void Bind();
  int port() const { return port_; }
  // The address to open once: it carries the secret, which the app trades for a cookie.
  std::string url() const;
  // Serves until Stop() (from another thread or a signal handler's thread).
  void Run();
  // Stops serving and the background threads, cutting a live update's waiting request.
  void Stop();

 private:
  struct Impl;
  AppOptions options_;
  int port_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fieldcrm::tablet
