#include "server_fleet.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "fieldcrm/sync/transport.h"
#include "tests/support/postgres_cluster.h"
#include "tests/support/run.h"

namespace fieldcrm::bench {
namespace {

void Stop(pid_t pid) {
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

// Waits until url answers /v1/health; throws with `log`'s text after a minute.
void WaitUntilHealthy(const std::string& url, const std::string& log) {
  auto transport = sync::MakeHttpTransport(url, "");
  for (auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);;) {
    try {
      if (transport->Get("/v1/health").status == 200) return;
    } catch (const std::exception&) {
      // not listening yet
    }
    if (std::chrono::steady_clock::now() > until) {
      throw std::runtime_error(url + " never answered: " + testing::Slurp(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

ServerFleet::ServerFleet(const std::string& server_binary, const std::string& db, int processes,
                         const std::string& dir) {
  std::vector<std::string> urls;
  for (int i = 0; i < processes; ++i) {
    const std::string out = dir + "/server" + std::to_string(i) + ".out";
    const std::string log = dir + "/server" + std::to_string(i) + ".log";
    servers_.push_back(
        testing::Spawn({server_binary, "--db", db, "serve", "--listen", "127.0.0.1:0",
                        "--insecure-http", "--trusted-proxy", "127.0.0.1"},
                       "/dev/null", out, log));
    // Its first line names where it listens.
    for (auto until = std::chrono::steady_clock::now() + std::chrono::minutes(1);;) {
      std::string line = testing::Slurp(out);
      if (size_t end = line.find('\n'); end != std::string::npos) {
        urls.push_back(line.substr(line.find("http"), end - line.find("http")));
        break;
      }
      if (std::chrono::steady_clock::now() > until) {
        throw std::runtime_error("fieldcrm-server did not start: " + testing::Slurp(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    WaitUntilHealthy(urls.back(), log);
  }
  if (processes == 1) {
    url_ = urls.front();
    return;
  }
  const int port = testing::FreeLoopbackPort();
  std::ofstream config(dir + "/haproxy.cfg");
  config << "global\n  maxconn 8192\n"
            "defaults\n  mode http\n  timeout connect 2s\n  timeout client 120s\n"
            "  timeout server 120s\n  retries 3\n  option redispatch\n  option forwardfor\n"
            "frontend tablets\n  bind 127.0.0.1:"
         << port << "\n  default_backend servers\n"
         << "backend servers\n  balance roundrobin\n  option httpchk GET /v1/health\n";
  for (size_t i = 0; i < urls.size(); ++i) {
    config << "  server s" << i << " " << urls[i].substr(urls[i].rfind('/') + 1)
           << " check inter 1s\n";
  }
  config.close();
  balancer_ = testing::Spawn({"/usr/sbin/haproxy", "-db", "-f", dir + "/haproxy.cfg"}, "/dev/null",
                             dir + "/haproxy.out", dir + "/haproxy.err");
  url_ = "http://127.0.0.1:" + std::to_string(port);
  WaitUntilHealthy(url_, dir + "/haproxy.err");
}

ServerFleet::~ServerFleet() {
  if (balancer_ > 0) Stop(balancer_);
  for (pid_t pid : servers_) Stop(pid);
}

double ServerFleet::PeakRssMb() const {
  double total_kib = 0;
  for (pid_t pid : servers_) {
    std::istringstream status(testing::Slurp("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("VmHWM:")) total_kib += std::stod(line.substr(6));
    }
  }
  return total_kib / 1024;
}

}  // namespace fieldcrm::bench
