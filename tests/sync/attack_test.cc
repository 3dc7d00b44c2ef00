// A hostile client against a real fieldcrm-server process: request bodies that inflate far
// beyond their size on the wire (gzip bombs), with and without a token. The server's peak memory
// is read from /proc/PID/status.
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/server/server.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

// A /proc/PID/status figure in bytes ("VmHWM": peak resident memory, "VmRSS": current).
int64_t ProcStatusBytes(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field + ":")) return std::stoll(line.substr(field.size() + 1)) * 1024;
  }
  FAIL("no " << field << " for process " << pid);
  return 0;
}

// A gzip body of at least wire_bytes that inflates about 140 times: a kibibyte of noise repeated.
// (Zeros inflate 1,000 times, so fast that httplib's inflate loop gives up on them by chance.)
// Built from one compressed mebibyte repeated (the deflater is in the same state after each
// flush), so making a 4.7 MB bomb (about 650 MB inflated) takes milliseconds.
std::pair<std::string, uint64_t> GzipBomb(size_t wire_bytes) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string block(1 << 20, '\0');
  uint32_t noise = 1;
  for (size_t i = 0; i < 1024; ++i) {
    noise = noise * 1103515245 + 12345;
    block[i] = static_cast<char>(noise >> 24);
  }
  for (size_t i = 1024; i < block.size(); ++i) block[i] = block[i - 1024];
  auto deflate_more = [&](int flush) {
    std::string out(1 << 16, '\0');
    z.next_in = reinterpret_cast<Bytef*>(block.data());
    z.avail_in = flush == Z_FINISH ? 0 : static_cast<uInt>(block.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, flush) != Z_STREAM_ERROR);
    REQUIRE(z.avail_in == 0);
    out.resize(out.size() - z.avail_out);
    return out;
  };
  std::string first = deflate_more(Z_SYNC_FLUSH);
  std::string repeated = deflate_more(Z_SYNC_FLUSH);
  REQUIRE(deflate_more(Z_SYNC_FLUSH) == repeated);
  std::string body = std::string("\x1f\x8b\x08\0\0\0\0\0\x02\xff", 10) + first;
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(block.data()), block.size());
  uLong mib_crc = crc;
  uint64_t inflated = block.size();
  while (body.size() < wire_bytes) {
    body += repeated;
    crc = crc32_combine(crc, mib_crc, static_cast<z_off_t>(block.size()));
    inflated += block.size();
  }
  body += deflate_more(Z_FINISH);
  deflateEnd(&z);
  for (uint64_t word : {uint64_t{crc}, inflated}) {
    for (int i = 0; i < 4; ++i) body += static_cast<char>((word >> (8 * i)) & 0xff);
  }
  return {body, inflated};
}

// A connection to 127.0.0.1:port; -1 when refused.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int PortOf(const std::string& url) {
  return std::stoi(url.substr(url.rfind(':') + 1));
}

// Sends one POST with the body over a fresh connection, as fast as the server takes it and
// without waiting for it to be read, and returns the answer's status (-1: no answer). The server
// may answer before it read the body; what it never read is the sender's loss.
int PostRaw(int port, const std::string& path, const httplib::Headers& headers,
            const std::string& body) {
  int fd = Connect(port);
  REQUIRE(fd >= 0);
  std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server stopped reading: its answer is waiting
    sent += static_cast<size_t>(n);
  }
  std::string answer(64, '\0');
  ssize_t got = recv(fd, answer.data(), answer.size(), 0);
  close(fd);
  if (got < 12 || !answer.starts_with("HTTP/1.1 ")) return -1;
  return std::stoi(answer.substr(9, 3));
}

struct Hostile {
  TempDir dir;
  std::string server_db = dir.File("server.db");
  std::string token =
      Line(Server(server_db, {"token", "create", "--agent", "王芳", "--team", "A"}).out);
  ServerProcess server{server_db, dir.File("server.log")};
  int64_t started_at_peak = ProcStatusBytes(server.pid(), "VmHWM");

  // Posts the bomb to path; returns the answer's status and how far the server's peak memory
  // has grown since it started.
  std::pair<int, int64_t> Bomb(const std::string& path, const std::string& bomb,
                               const std::string& with_token) {
    httplib::Headers headers = {{"Content-Encoding", "gzip"}, {"Content-Type", "application/json"}};
    if (!with_token.empty()) headers.emplace("Authorization", "Bearer " + with_token);
    int status = PostRaw(PortOf(server.url()), path, headers, bomb);
    return {status, ProcStatusBytes(server.pid(), "VmHWM") - started_at_peak};
  }
};

constexpr int64_t kMaxGrowth = 64 << 20;

TEST_CASE("a 4.7 MB gzip bomb is refused while it inflates, with or without a token") {
  Hostile hostile;
  auto [bomb, inflated] = GzipBomb(4'700'000);
  MESSAGE("bomb: " << bomb.size() << " bytes, " << inflated / (1 << 20) << " MiB inflated");
  REQUIRE(bomb.size() < 8 << 20);  // under the wire limit: only inflating shows what it is

  for (const char* path : {"/v1/sync/push", "/v1/sync/pull", "/login"}) {
    CAPTURE(path);
    auto [anonymous, anonymous_growth] = hostile.Bomb(path, bomb, "");
    MESSAGE(std::string(path) << " without a token: " << anonymous << ", peak RSS +"
                              << anonymous_growth / 1024 << " KiB");
    CHECK(anonymous >= 400);
    CHECK(anonymous < 500);
    CHECK(anonymous_growth < kMaxGrowth);

    auto [authorised, authorised_growth] = hostile.Bomb(path, bomb, hostile.token);
    MESSAGE(std::string(path) << " with a token: " << authorised << ", peak RSS +"
                              << authorised_growth / 1024 << " KiB");
    CHECK(authorised == 413);
    CHECK(authorised_growth < kMaxGrowth);
  }
  // Paths without a body route, and bodies whose size nobody declares, are not read at all.
  auto [unknown, unknown_growth] = hostile.Bomb("/v1/no-such-thing", bomb, hostile.token);
  CHECK(unknown == 404);
  CHECK(unknown_growth < kMaxGrowth);

  // The server still answers, and honest gzip bodies still go through.
  httplib::Client http(hostile.server.url());
  auto health = http.Get("/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto tablet = NewTablet(hostile.dir.File("tablet.db"), "王芳", "A");
  CHECK_NOTHROW(SyncWith(*tablet, hostile.server.url(), hostile.token));
}

TEST_CASE("200 connections trickling their headers do not delay a health check") {
  Hostile hostile;
  int port = PortOf(hostile.server.url());
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    int fd = Connect(port);
    REQUIRE(fd >= 0);
    std::string start = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
    send(fd, start.data(), start.size(), MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  std::atomic<bool> done = false;
  std::thread trickle([&] {  // a header byte per connection every 200 ms: none ever finishes
    while (!done) {
      for (int fd : slow) send(fd, "X", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int64_t slowest_ms = 0;
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    httplib::Client http(hostile.server.url());
    http.set_read_timeout(10);
    auto health = http.Get("/v1/health");
    int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
    CHECK((health && health->status == 200));
    slowest_ms = std::max(slowest_ms, ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  done = true;
  trickle.join();
  for (int fd : slow) close(fd);
  MESSAGE("slowest health check beside 200 trickling connections: " << slowest_ms << " ms");
  CHECK(slowest_ms < 100);
}

TEST_CASE("a server busy accepting queues 300 connections at once instead of dropping them") {
  // Bound but not yet accepting: every connection waits in the listening socket's queue, as
  // when 200 tablets connect faster than the accept loop takes them in. A short queue makes the
  // kernel drop the rest's SYNs, and each such tablet waits 1, 3, 7, 15 s... to retry.
  TempDir dir;
  sync::SqliteServerStorage storage(ServerDb(dir.File("server.db")));
  sync::ServerOptions options;
  options.allow_plain_http = true;
  sync::SyncServer server(storage, options);
  const int port = server.Bind("127.0.0.1", 0);
  constexpr int kConnections = 300;
  std::vector<pollfd> waits;
  for (int i = 0; i < kConnections; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);  // EINPROGRESS
    waits.push_back({fd, POLLOUT, 0});
  }
  // Generous: a queued connection completes at once; a dropped SYN is retried after 1 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  REQUIRE(poll(waits.data(), waits.size(), 0) >= 0);
  int connected = 0;
  for (const pollfd& wait : waits) {
    int error = -1;
    socklen_t size = sizeof error;
    getsockopt(wait.fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if ((wait.revents & POLLOUT) && error == 0) ++connected;
    close(wait.fd);
  }
  CHECK(connected == kConnections);
}

TEST_CASE("failed authentication is limited on /login and the reports too") {
  Hostile hostile;
  httplib::Client http(hostile.server.url());
  int login_429 = 0;
  int report_429 = 0;
  for (int i = 0; i < 30; ++i) {
    auto login = http.Post("/login", "token=fcrm_wrong" + std::to_string(i),
                           "application/x-www-form-urlencoded");
    REQUIRE(login);
    login_429 += login->status == 429;
    auto report = http.Get("/v1/reports/funnel", {{"Authorization", "Bearer fcrm_wrong"}});
    REQUIRE(report);
    report_429 += report->status == 429;
  }
  MESSAGE("of 30 wrong logins and 30 wrong report tokens: " << login_429 << " and " << report_429
                                                            << " answered 429");
  CHECK(login_429 > 0);
  CHECK(report_429 > 0);
}

TEST_CASE("text that is not UTF-8 gets a 400 without internals; browser security headers") {
  Hostile hostile;
  std::string office = Line(
      Server(hostile.server_db, {"token", "create", "--agent", "总部", "--role", "office"}).out);
  httplib::Client http(hostile.server.url());
  httplib::Headers auth = {{"Authorization", "Bearer " + office}};
  for (const char* path : {"/v1/reports/funnel?agent=%FF%FE", "/v1/reports/funnel?%C3%28=1",
                           "/v1/reports/customer?id=%ED%A0%80", "/v1/sync/pull?device=%C0%AF"}) {
    CAPTURE(std::string(path));
    auto answer = http.Get(path, auth);
    REQUIRE(answer);
    CHECK(answer->status == 400);
    CHECK_FALSE(answer->has_header("EXCEPTION_WHAT"));
    CHECK(answer->body.find("what") == std::string::npos);
    CHECK(answer->body.find("type_error") == std::string::npos);
  }
  auto page = http.Get("/", auth);
  REQUIRE(page);
  CHECK(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'") !=
        std::string::npos);
  CHECK(page->get_header_value("X-Frame-Options") == "DENY");
  CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK_FALSE(page->has_header("Strict-Transport-Security"));  // plain HTTP: HSTS means nothing

  // A page elsewhere cannot log the browser in (login CSRF); the dashboard's own form can.
  auto foreign = http.Post("/login", {{"Origin", "https://evil.example"}}, "token=" + office,
                           "application/x-www-form-urlencoded");
  REQUIRE(foreign);
  CHECK(foreign->status == 403);
  auto own = http.Post("/login", {{"Origin", hostile.server.url()}}, "token=" + office,
                       "application/x-www-form-urlencoded");
  REQUIRE(own);
  CHECK(own->status == 303);
}

TEST_CASE("a store file deleted while serving: pushes are refused, not lost; serve creates none") {
  Hostile hostile;
  auto tablet = NewTablet(hostile.dir.File("tablet.db"), "王芳", "A");
  Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}});
  SyncWith(*tablet, hostile.server.url(), hostile.token);
  std::filesystem::remove(hostile.server_db);
  Customers(*tablet).Add({{"name", "李娜"}, {"phone", "13900139000"}});
  try {
    SyncWith(*tablet, hostile.server.url(), hostile.token);
    FAIL("the push was acknowledged by a server whose store is gone");
  } catch (const sync::ProtocolError& e) {
    CHECK(e.status() == 503);
    CHECK(std::string(e.what()).find("deleted") != std::string::npos);
  }
  hostile.server.Kill();
  RunResult serve =
      Server(hostile.server_db, {"serve", "--listen", "127.0.0.1:0", "--insecure-http"});
  CHECK(serve.exit_code == 1);
  CHECK(serve.err.find("no server store") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(hostile.server_db));
}

}  // namespace
}  // namespace fieldcrm::testing
