// Abandoned requests stop: a pull or report whose client hung up while it waited for the store,
// or while it read, is answered 499 (cancelled) at once instead of keeping the store busy for
// nobody. The slow case of issue 18: a team's pull scanning other teams' log entries.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/uuid.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

// The log of `customers` team-A customers of six fields each, as one tablet would have pushed.
std::vector<Change> TeamACustomers(int64_t customers) {
  std::vector<Change> changes;
  Hlc hlc = HlcFromMillis(Env::Default().NowMillis() - 86'400'000);
  for (int64_t i = 0; i < customers; ++i) {
    std::string id = NewUuidV7(HlcMillis(hlc), static_cast<uint16_t>(i & 0xFFF));
    for (auto [field, value] : std::initializer_list<std::pair<const char*, std::string>>{
             {"name", "\"客户" + std::to_string(i) + "\""},
             {"phone", "\"+86138" + std::to_string(10'000'000 + i) + "\""},
             {"team", "\"A\""},
             {"agent", "\"wang\""},
             {"stage", "\"prospect\""},
             {"source", "\"walk-in\""}}) {
      changes.push_back({"tablet-a", static_cast<int64_t>(changes.size()) + 1, ++hlc, 0, "customer",
                         id, field, value});
    }
  }
  return changes;
}

// Sends one HTTP request on a fresh connection and hangs up without reading the answer.
void SendAndHangUp(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  close(fd);
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_CASE("pulls and reports whose clients hung up stop and leave the store to the others") {
  TempDir dir;
  // The server's request lines, a line flushed at a time: read while it serves.
  std::string log_file = dir.File("access.log");
  std::ofstream access_log(log_file);
  TestServer server(dir.File("server.db"), {.log = &access_log});
  server.storage().store().ApplyRemote(TeamACustomers(20'000));  // 120,000 log entries of team A
  std::string team_b = server.Token("li", "B");
  std::string office = server.Token("boss", "", sync::Role::kOffice);
  int port = std::stoi(server.url().substr(server.url().rfind(':') + 1));

  // Team B's first pull reads past all of team A's entries to find none of its own.
  constexpr int kGivenUp = 20;
  for (int i = 0; i < kGivenUp; ++i) {
    SendAndHangUp(port, "GET /v1/sync/pull?protocol=1&device=tablet-b" + std::to_string(i) +
                            "&after=0&limit=5000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Authorization: Bearer " +
                            team_b + "\r\n\r\n");
    SendAndHangUp(port,
                  "GET /v1/reports/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Authorization: Bearer " +
                      office + "\r\n\r\n");
  }
  // A tablet that stays gets its answer, and then every abandoned request has been answered.
  auto tablet = NewTablet(dir.File("tablet.db"), "li", "B");
  Customers(*tablet).Add({{"name", "李娜"}, {"phone", "13900139000"}});
  auto start = std::chrono::steady_clock::now();
  sync::SyncReport report = SyncWith(*tablet, server.url(), team_b);
  MESSAGE("the staying tablet's sync took "
          << std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)
                 .count()
          << " ms behind " << 2 * kGivenUp << " abandoned requests");
  CHECK(report.sent > 0);
  CHECK(report.received == 0);
  auto answered = [&log_file](const std::string& request, const char* status) {
    return Count(ReadFile(log_file), request + " " + status + " ");
  };
  const std::string pull = "GET /v1/sync/pull", customers = "GET /v1/reports/customers";
  for (int waited = 0;
       waited < 600 && answered(pull, "499") + answered(pull, "200") + answered(customers, "499") +
                               answered(customers, "200") <
                           2 * kGivenUp;
       ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string log = ReadFile(log_file);
  CAPTURE(log);
  // Each was stopped before or while reading (499), unless its client was still there when the
  // answer was ready (a loaded machine may run the server before the client hangs up).
  for (const std::string& request : {pull, customers}) {
    CAPTURE(request);
    CHECK(answered(request, "499") + answered(request, "200") == kGivenUp);
    CHECK(answered(request, "499") >= kGivenUp / 2);
  }
}

}  // namespace
}  // namespace fieldcrm::testing
