// The sync server's HTTP side (cpp-httplib): authenticates each request by its bearer token,
// checks it, hands it to the storage and answers JSON. Logs one line per request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "fieldcrm/server/connection_limits.h"
#include "fieldcrm/server/server_storage.h"
#include "fieldcrm/sync/clock_policy.h"

namespace fieldcrm::sync {

struct ServerOptions {
  size_t max_body_bytes = 8 << 20;  // larger requests get 413, compressed or not
  int64_t max_clock_ahead_ms = kDefaultMaxClockAheadMs;
  std::ostream* log = nullptr;  // where request lines go; none when null
  // Where the text of errors answered 500 goes, with the request id the client is given.
  std::ostream* error_log = &std::cerr;
  // The store's file: pushes get 503 once it was deleted or replaced (store_file_watch.h).
  // Empty: not watched.
  std::string store_file{};
  // Threads, connections at once, per address, and the header deadline (connection_limits.h).
  ConnectionLimits connections{};
  // HTTPS with these PEM files when both are set. Without them the server speaks plain HTTP,
  // which Bind allows only when allow_plain_http is set and the address is loopback.
  std::string cert_file{};
  std::string key_file{};
  bool allow_plain_http = false;
  // Tablets that may wait on GET /v1/sync/watch at once (each holds a connection thread); more
  // get 503 busy and sync periodically instead.
  size_t max_watchers = 256;
  // An address failing authentication this many times within the window gets 429 until it ends.
  int auth_failure_limit = 20;
  int64_t auth_failure_window_ms = 60'000;
  // Load balancers whose X-Forwarded-For names the client (client_address.h): the limit above
  // and the request log then go by the client's address rather than the balancer's.
  std::vector<std::string> trusted_proxies{};
};

class SyncServer {
 public:
  SyncServer(ServerStorage& storage, ServerOptions options);
  ~SyncServer();
  SyncServer(const SyncServer&) = delete;
  SyncServer& operator=(const SyncServer&) = delete;

  // Binds host:port (port 0 picks a free one) and returns the port; throws InvalidInput when the
  // address cannot be bound, or when plain HTTP was not asked for or is not on loopback.
  int Bind(const std::string& host, int port);
  // "https" or "http".
  std::string Scheme() const;
  // Serves until Stop(); returns once the requests in flight are answered.
  void Serve();
  // Safe from any thread, also before Serve has begun (Serve then stops as soon as it listens).
  void Stop();

 private:
  struct Impl;  // keeps httplib.h out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace fieldcrm::sync
