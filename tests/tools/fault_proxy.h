// A fault-injecting HTTP proxy for tests: listens on 127.0.0.1 between tablets and a server and,
// driven by a seed and per-kind rates, drops connections in the middle of a request or a response,
// delays requests, delivers them twice (at once, or again later after other requests), lets later
// requests overtake them, and truncates request and response bodies. It understands HTTP/1.1
// framing by Content-Length, enough to move whole requests around; one fault at most per request.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace fieldcrm::testing {

enum class Fault {
  kDropRequest,       // part of the request reaches the server, then both connections close
  kDropResponse,      // the server answered; part of the answer reaches the client, then close
  kDelay,             // held back for up to max_delay_ms
  kDuplicate,         // delivered twice in a row; the client gets the second answer
  kReplayLate,        // delivered, and delivered again after the next request (answer dropped)
  kReorder,           // held until another connection's request has overtaken it
  kTruncateRequest,   // body cut short, Content-Length adjusted: the server sees a shorter body
  kTruncateResponse,  // answer body cut short, Content-Length adjusted
};
inline constexpr int kFaultKinds = 8;
const char* FaultName(Fault fault);

struct FaultRates {
  // Probability per request of each fault; the rest pass through untouched.
  std::array<double, kFaultKinds> rate{};
  int max_delay_ms = 30;
  double& operator[](Fault f) { return rate[static_cast<int>(f)]; }
};

class FaultProxy {
 public:
  FaultProxy(int upstream_port, uint64_t seed, FaultRates rates);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  const std::string& url() const { return url_; }
  int64_t injected(Fault fault) const { return injected_[static_cast<int>(fault)]; }
  int64_t requests() const { return requests_; }
  // "requests=N drop_request=N drop_response=N ..." for reports.
  std::string Summary() const;

 private:
  struct Connection;
  void AcceptLoop();
  void Serve(int client);
  Fault Pick(bool has_body, bool* none);
  uint64_t Random(uint64_t bound);

  int upstream_port_;
  int listen_fd_ = -1;
  std::string url_;
  FaultRates rates_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
  std::atomic<bool> stopping_{false};
  std::array<std::atomic<int64_t>, kFaultKinds> injected_{};
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> forwarded_{0};  // requests delivered to the server so far
  std::mutex late_mutex_;
  std::string late_request_;  // a request to deliver again after the next one
  std::mutex connections_mutex_;
  std::list<std::unique_ptr<Connection>> connections_;
  std::thread acceptor_;
};

}  // namespace fieldcrm::testing
