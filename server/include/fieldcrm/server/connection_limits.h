// Connections that hold a server thread without finishing a request ("slowloris"). httplib gives
// each connection a thread for as long as it lasts and times out each read on its own, so a
// client trickling a header byte every few seconds holds its thread for ever, and 64 of them
// stopped the server. Here:
// - every connection gets a thread at once, up to max_connections (threads are made as needed and
//   kept), so slow clients never make a fresh request wait behind them;
// - a request's headers must arrive within header_deadline_ms (from the connection, or from the
//   previous answer on a kept-alive one), else its socket is shut down;
// - an address may have at most per_address connections waiting for headers: a new one from it
//   shuts the oldest of them down (so a tablet behind a busy NAT address still gets in); a load
//   balancer's connections (unlimited_addresses) carry many clients and are not capped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace fieldcrm::sync {

struct ConnectionLimits {
  size_t threads = 64;  // started up front
  size_t max_connections = 1024;
  size_t per_address = 64;
  int64_t header_deadline_ms = 10'000;
  std::vector<std::string> unlimited_addresses{};  // as inet_ntop writes them
};

// An HTTP server (HTTPS when cert_file and key_file are given; both must be readable PEM files)
// that applies the limits. Call HeadersRead from httplib's pre-routing hook and AnswerSent from
// its logger, on the thread serving the request.
std::unique_ptr<httplib::Server> MakeLimitedServer(const ConnectionLimits& limits,
                                                   const std::string& cert_file,
                                                   const std::string& key_file);

// Raises the listening socket's backlog of a server MakeLimitedServer made, once bound, from
// httplib's 5 to the system's maximum (SOMAXCONN). With 5, when more tablets connect at once than
// the accept loop takes in, the kernel drops their SYNs and each retries after 1, 3, 7, 15 s...:
// 200 tablets syncing together saw requests wait 10-50 s on an idle server.
void WidenListenBacklog(httplib::Server& server);

// The current request's headers have arrived: its connection is no longer at risk of the deadline.
void HeadersRead();
// The current request was answered: the next one on this connection has the deadline again.
void AnswerSent();
// Whether the client of the request this thread serves has hung up (its end of the connection
// is closed or broken), so nobody will read the answer. Cheap: one poll() that never waits.
bool ClientGone();

}  // namespace fieldcrm::sync
