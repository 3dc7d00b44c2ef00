// Head office as it is deployed, for the fleet benchmark: real fieldcrm-server processes on one
// store (a SQLite file: one process; a postgresql:// URL: one or several), behind Debian's haproxy
// when there are several (round robin, naming clients in X-Forwarded-For, as docs/postgresql.md
// deploys it). Separate processes, so the tablets' threads and the server do not share a heap and
// each server's peak memory can be read.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace fieldcrm::bench {

class ServerFleet {
 public:
  // Starts `processes` servers of server_binary on db, their output in dir; returns once each
  // (and the balancer) answers /v1/health. Throws std::runtime_error with a server's log when one
  // does not start within a minute.
  ServerFleet(const std::string& server_binary, const std::string& db, int processes,
              const std::string& dir);
  // Stops the balancer and the servers (SIGTERM, then waits for them).
  ~ServerFleet();
  ServerFleet(const ServerFleet&) = delete;
  ServerFleet& operator=(const ServerFleet&) = delete;

  // Where tablets sync: the balancer, or the only server.
  const std::string& url() const { return url_; }
  // The servers' peak resident memory so far (VmHWM), summed, in MB.
  double PeakRssMb() const;

 private:
  std::vector<pid_t> servers_;
  pid_t balancer_ = -1;
  std::string url_;
};

}  // namespace fieldcrm::bench
