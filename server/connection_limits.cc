#include "fieldcrm/server/connection_limits.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <thread>

namespace fieldcrm::sync {

namespace {

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Threads made as connections need them, up to a maximum, and kept for the next ones.
class GrowingPool : public httplib::TaskQueue {
 public:
  GrowingPool(size_t initial, size_t max) : max_(max) {
    for (size_t i = 0; i < initial; ++i) Grow();
  }
  void enqueue(std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (idle_ < jobs_.size() && threads_.size() < max_) Grow();
    ready_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void Grow() {
    threads_.emplace_back([this] {
      std::unique_lock lock(mutex_);
      for (;;) {
        ++idle_;
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        --idle_;
        if (jobs_.empty()) return;  // stopping, nothing left
        std::function<void()> job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job();
        lock.lock();
      }
    });
  }
  size_t max_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

// The address (and port, when asked) of the socket's other end (peer) or of ours.
std::string AddressOf(int fd, bool peer, int* port) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  auto* any = reinterpret_cast<sockaddr*>(&address);
  if ((peer ? getpeername(fd, any, &size) : getsockname(fd, any, &size)) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    if (port) *port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    if (port) *port = ntohs(v6->sin6_port);
  }
  return text;
}

// Connections waiting for their headers, by address, oldest first; a watchdog thread shuts down
// those past their deadline. Shutting a socket down wakes whatever read blocks on it.
class HeaderDeadlines {
 public:
  explicit HeaderDeadlines(const ConnectionLimits& limits) : limits_(limits) {
    watchdog_ = std::thread([this] { Watch(); });
  }
  ~HeaderDeadlines() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    watchdog_.join();
  }

  // fd waits for headers from now on; evicts the address's oldest waiting connection when it
  // has too many.
  void Waiting(int fd, const std::string& address) {
    std::lock_guard lock(mutex_);
    Forget(fd);
    auto& queue = waiting_[address];
    if (queue.size() >= limits_.per_address &&
        std::find(limits_.unlimited_addresses.begin(), limits_.unlimited_addresses.end(),
                  address) == limits_.unlimited_addresses.end()) {
      shutdown(queue.front().fd, SHUT_RDWR);
      by_fd_.erase(queue.front().fd);
      queue.pop_front();
    }
    queue.push_back({fd, SteadyNowMs() + limits_.header_deadline_ms});
    by_fd_[fd] = address;
  }
  void Done(int fd) {
    std::lock_guard lock(mutex_);
    Forget(fd);
  }

 private:
  struct Entry {
    int fd;
    int64_t deadline_ms;
  };
  void Forget(int fd) {
    auto it = by_fd_.find(fd);
    if (it == by_fd_.end()) return;
    auto& queue = waiting_[it->second];
    std::erase_if(queue, [fd](const Entry& e) { return e.fd == fd; });
    if (queue.empty()) waiting_.erase(it->second);
    by_fd_.erase(it);
  }
  void Watch() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
      int64_t now = SteadyNowMs();
      for (auto it = waiting_.begin(); it != waiting_.end();) {
        auto& queue = it->second;
        while (!queue.empty() && queue.front().deadline_ms <= now) {
          shutdown(queue.front().fd, SHUT_RDWR);
          by_fd_.erase(queue.front().fd);
          queue.pop_front();
        }
        it = queue.empty() ? waiting_.erase(it) : std::next(it);
      }
    }
  }

  ConnectionLimits limits_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, std::deque<Entry>> waiting_;
  std::map<int, std::string> by_fd_;
  bool stopping_ = false;
  std::thread watchdog_;
};

// The connection the calling thread serves, for HeadersRead and AnswerSent.
struct CurrentConnection {
  HeaderDeadlines* deadlines = nullptr;
  int fd = -1;
  std::string address;
};
thread_local CurrentConnection current;

bool PollFor(int fd, short events, time_t seconds, time_t micros) {
  pollfd p{fd, events, 0};
  int ms = static_cast<int>(seconds * 1000 + micros / 1000);
  int n;
  do {
    n = poll(&p, 1, ms);
  } while (n < 0 && errno == EINTR);
  return n > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
}

// A socket as httplib reads and writes it, plain or through TLS.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, time_t read_s, time_t write_s)
      : fd_(fd), ssl_(ssl), read_s_(read_s), write_s_(write_s) {}
  bool is_readable() const override {
    return (ssl_ && SSL_pending(ssl_) > 0) || PollFor(fd_, POLLIN, read_s_, 0);
  }
  bool is_writable() const override { return PollFor(fd_, POLLOUT, write_s_, 0); }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    if (!ssl_) {
      ssize_t n;
      do {
        n = recv(fd_, ptr, size, 0);
      } while (n < 0 && errno == EINTR);
      return n;
    }
    int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
    return n > 0 ? n : (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    if (!ssl_) return send(fd_, ptr, size, MSG_NOSIGNAL);
    int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
    return n > 0 ? n : -1;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = AddressOf(fd_, true, &port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = AddressOf(fd_, false, &port);
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  SSL* ssl_;
  time_t read_s_;
  time_t write_s_;
};

// httplib's server with its per-connection loop replaced by one that applies the limits (the
// loop is otherwise httplib's own: keep-alive up to its count and timeout).
// What WidenListenBacklog reaches a LimitedServer of either base through.
class ListeningSocket {
 public:
  virtual ~ListeningSocket() = default;
  virtual void WidenBacklog() = 0;
};

template <typename Base>
class LimitedServer : public Base, public ListeningSocket {
 public:
  void WidenBacklog() override {
    // Listening again on a listening socket only sets its backlog (Linux's listen(2)).
    if (this->svr_sock_ != INVALID_SOCKET) ::listen(this->svr_sock_, SOMAXCONN);
  }

  template <typename... Args>
  LimitedServer(const ConnectionLimits& limits, Args&&... args)
      : Base(std::forward<Args>(args)...), deadlines_(limits) {
    this->new_task_queue = [limits] {
      return new GrowingPool(limits.threads, limits.max_connections);
    };
  }

 private:
  bool process_and_close_socket(socket_t sock) override {
    current = {&deadlines_, sock, AddressOf(sock, true, nullptr)};
    deadlines_.Waiting(sock, current.address);
    SSL* ssl = nullptr;
    bool ok = true;
    if constexpr (std::is_same_v<Base, httplib::SSLServer>) {
      // The handshake counts against the header deadline too (the watchdog ends a slow one).
      ssl = SSL_new(this->ssl_context());
      ok = ssl && SSL_set_fd(ssl, sock) == 1 && SSL_accept(ssl) == 1;
    }
    bool served = false;
    if (ok) {
      ConnectionStream stream(sock, ssl, this->read_timeout_sec_, this->write_timeout_sec_);
      for (size_t count = this->keep_alive_max_count_;
           count > 0 && this->svr_sock_ != INVALID_SOCKET &&
           PollFor(sock, POLLIN, this->keep_alive_timeout_sec_, 0);
           --count) {
        bool closed = false;
        served = this->process_request(stream, count == 1, closed, [ssl](httplib::Request& req) {
          if (ssl) req.ssl = ssl;
        });
        if (!served || closed) break;
      }
    }
    deadlines_.Done(sock);
    current = {};
    if (ssl) {
      if (served) SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    ERR_clear_error();
    ::shutdown(sock, SHUT_RDWR);
    close(sock);
    return served;
  }

  HeaderDeadlines deadlines_;
};

}  // namespace

std::unique_ptr<httplib::Server> MakeLimitedServer(const ConnectionLimits& limits,
                                                   const std::string& cert_file,
                                                   const std::string& key_file) {
  if (cert_file.empty()) return std::make_unique<LimitedServer<httplib::Server>>(limits);
  return std::make_unique<LimitedServer<httplib::SSLServer>>(limits, cert_file.c_str(),
                                                             key_file.c_str());
}

void WidenListenBacklog(httplib::Server& server) {
  if (auto* limited = dynamic_cast<ListeningSocket*>(&server)) limited->WidenBacklog();
}

void HeadersRead() {
  if (current.deadlines) current.deadlines->Done(current.fd);
}

void AnswerSent() {
  if (current.deadlines) current.deadlines->Waiting(current.fd, current.address);
}

bool ClientGone() {
  if (current.fd < 0) return false;
  pollfd p{current.fd, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  // Readable: either the next request (pipelined) or the end of the stream.
  char next;
  return recv(current.fd, &next, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace fieldcrm::sync
