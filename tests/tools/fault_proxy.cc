#include "tests/tools/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>

namespace fieldcrm::testing {

namespace {

constexpr std::string_view kEndOfHead = "\r\n\r\n";

// One HTTP/1.1 message: start line and headers (with the blank line), then the body.
struct Message {
  std::string head;
  std::string body;
  std::string Bytes() const { return head + body; }
};

void SetTimeout(int fd, int option, int millis) {
  timeval tv{millis / 1000, (millis % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

// The value of the Content-Length header, 0 when absent; nullopt for framing we do not follow.
std::optional<size_t> ContentLength(const std::string& head) {
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.find("\r\ntransfer-encoding:") != std::string::npos) return std::nullopt;
  size_t at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  char* end = nullptr;
  size_t length = std::strtoul(lower.c_str() + at + 17, &end, 10);
  return end == lower.c_str() + at + 17 ? std::nullopt : std::optional<size_t>(length);
}

std::string WithContentLength(std::string head, size_t length) {
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t start = lower.find("\r\ncontent-length:") + 17;
  size_t end = head.find("\r\n", start);
  return head.replace(start, end - start, " " + std::to_string(length));
}

// Reads one whole message from fd into `buffered` leftovers; nullopt on EOF, error, an
// unsupported framing or (with `stopping`) when the proxy shuts down.
std::optional<Message> ReadMessage(int fd, std::string& buffered,
                                   const std::atomic<bool>* stopping) {
  std::optional<size_t> length;
  size_t head_end = std::string::npos;
  char chunk[16384];
  while (true) {
    if (head_end == std::string::npos) {
      head_end = buffered.find(kEndOfHead);
      if (head_end != std::string::npos) {
        head_end += kEndOfHead.size();
        length = ContentLength(buffered.substr(0, head_end));
        if (!length) return std::nullopt;
      }
    }
    if (head_end != std::string::npos && buffered.size() >= head_end + *length) {
      Message message{buffered.substr(0, head_end), buffered.substr(head_end, *length)};
      buffered.erase(0, head_end + *length);
      return message;
    }
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got > 0) {
      buffered.append(chunk, got);
    } else if (got < 0 && (errno == EAGAIN || errno == EINTR) && stopping && !*stopping) {
      continue;  // a receive timeout: look at `stopping` again
    } else {
      return std::nullopt;
    }
  }
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(sent);
  }
  return true;
}

int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  SetTimeout(fd, SO_RCVTIMEO, 30000);
  return fd;
}

// Sends bytes to the server on a fresh connection and reads its answer (nullopt if none).
std::optional<Message> Exchange(int port, const std::string& bytes) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return std::nullopt;
  std::string buffered;
  std::optional<Message> answer;
  if (SendAll(fd, bytes)) answer = ReadMessage(fd, buffered, nullptr);
  close(fd);
  return answer;
}

// Sends bytes to the server and closes the connection without waiting for an answer.
void SendAndHangUp(int port, const std::string& bytes) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return;
  SendAll(fd, bytes);
  close(fd);
}

}  // namespace

const char* FaultName(Fault fault) {
  static constexpr const char* kNames[kFaultKinds] = {
      "drop_request",     "drop_response",    "delay", "duplicate", "replay_late", "reorder",
      "truncate_request", "truncate_response"};
  return kNames[static_cast<int>(fault)];
}

struct FaultProxy::Connection {
  std::thread thread;
  std::atomic<bool> done{false};
};

FaultProxy::FaultProxy(int upstream_port, uint64_t seed, FaultRates rates)
    : upstream_port_(upstream_port), rates_(rates), random_(seed) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    close(listen_fd_);
    throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
  }
  url_ = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  close(listen_fd_);
  for (auto& connection : connections_) connection->thread.join();
}

std::string FaultProxy::Summary() const {
  std::string out = "requests=" + std::to_string(requests_);
  for (int kind = 0; kind < kFaultKinds; ++kind) {
    out += std::string(" ") + FaultName(static_cast<Fault>(kind)) + "=" +
           std::to_string(injected_[kind]);
  }
  return out;
}

uint64_t FaultProxy::Random(uint64_t bound) {
  std::lock_guard lock(random_mutex_);
  return bound == 0 ? 0 : random_() % bound;
}

Fault FaultProxy::Pick(bool has_body, bool* none) {
  double roll = static_cast<double>(Random(1'000'000)) / 1'000'000;
  *none = false;
  for (int kind = 0; kind < kFaultKinds; ++kind) {
    roll -= rates_.rate[kind];
    if (roll < 0) {
      auto fault = static_cast<Fault>(kind);
      // Cutting a body short needs a body to cut.
      if (!has_body && fault == Fault::kTruncateRequest) break;
      return fault;
    }
  }
  *none = true;
  return Fault::kDelay;
}

void FaultProxy::AcceptLoop() {
  while (true) {
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard lock(connections_mutex_);
    // Join the connections that ended, so that a long soak does not pile up threads.
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done) {
        (*it)->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    auto connection = std::make_unique<Connection>();
    Connection* raw = connection.get();
    raw->thread = std::thread([this, client, raw] {
      Serve(client);
      close(client);
      raw->done = true;
    });
    connections_.push_back(std::move(connection));
  }
}

void FaultProxy::Serve(int client) {
  SetTimeout(client, SO_RCVTIMEO, 100);  // to notice the proxy stopping
  std::string buffered;
  while (std::optional<Message> request = ReadMessage(client, buffered, &stopping_)) {
    ++requests_;
    bool none = false;
    Fault fault = Pick(!request->body.empty(), &none);
    std::string late;
    {
      std::lock_guard lock(late_mutex_);
      late.swap(late_request_);
    }
    // A request held back for later reaches the server after this one, its answer goes nowhere.
    auto replay_late = [&] {
      if (!late.empty()) Exchange(upstream_port_, late);
    };
    std::optional<Message> answer;
    auto deliver = [&](const std::string& bytes) {
      answer = Exchange(upstream_port_, bytes);
      ++forwarded_;
    };
    if (none) {
      deliver(request->Bytes());
    } else {
      ++injected_[static_cast<int>(fault)];
      switch (fault) {
        case Fault::kDropRequest: {
          std::string bytes = request->Bytes();
          SendAndHangUp(upstream_port_, bytes.substr(0, Random(bytes.size())));
          replay_late();
          return;
        }
        case Fault::kDropResponse:
          deliver(request->Bytes());
          if (answer) {
            std::string bytes = answer->Bytes();
            SendAll(client, bytes.substr(0, Random(bytes.size())));
          }
          replay_late();
          return;
        case Fault::kDelay:
          std::this_thread::sleep_for(std::chrono::milliseconds(Random(rates_.max_delay_ms + 1)));
          deliver(request->Bytes());
          break;
        case Fault::kDuplicate:
          deliver(request->Bytes());
          deliver(request->Bytes());
          break;
        case Fault::kReplayLate: {
          deliver(request->Bytes());
          std::lock_guard lock(late_mutex_);
          late_request_ = request->Bytes();
          break;
        }
        case Fault::kReorder: {
          // Wait (a bounded while) for some other request to reach the server first.
          int64_t seen = forwarded_;
          for (int i = 0; i < 100 && forwarded_ == seen && !stopping_; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
          }
          if (forwarded_ == seen) {  // nobody overtook it: it was only delayed
            --injected_[static_cast<int>(Fault::kReorder)];
            ++injected_[static_cast<int>(Fault::kDelay)];
          }
          deliver(request->Bytes());
          break;
        }
        case Fault::kTruncateRequest: {
          size_t keep = Random(request->body.size());
          deliver(WithContentLength(request->head, keep) + request->body.substr(0, keep));
          break;
        }
        case Fault::kTruncateResponse:
          deliver(request->Bytes());
          if (answer && !answer->body.empty()) {
            size_t keep = Random(answer->body.size());
            answer->head = WithContentLength(answer->head, keep);
            answer->body.resize(keep);
          }
          break;
      }
    }
    replay_late();
    if (!answer || !SendAll(client, answer->Bytes())) return;
  }
}

}  // namespace fieldcrm::testing
