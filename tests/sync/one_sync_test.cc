// One sync per store at a time, with real `fieldcrm sync` processes: a second sync while one
// runs is refused with a message naming the first and exits 1 without sending anything; a sync
// killed with SIGKILL leaves no lock behind; two syncs started together never push twice nor
// move the push cursor back.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fieldcrm/projections/customer_store.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

// A TCP port that accepts connections (the kernel's backlog does) and never answers: a sync
// talking to it waits, holding its store's sync lock, until it is killed.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd_, 8) == 0);
    socklen_t size = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  }
  ~SilentServer() { close(fd_); }
  const std::string& url() const { return url_; }

 private:
  int fd_ = -1;
  std::string url_;
};

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string PushCursor(const std::string& db) {
  return OpenCustomerStore(db)->GetMeta("sync.push_pos").value_or("0");
}

void AddCustomers(const std::string& db, int count, int first_phone) {
  std::string csv = "姓名,电话\n";
  for (int i = 0; i < count; ++i) {
    csv += "客户" + std::to_string(first_phone + i) + "," +
           std::to_string(13700000000 + first_phone + i) + "\n";
  }
  TempDir io;
  std::ofstream(io.File("in.csv")) << csv;
  REQUIRE(Cli(db, {"import", io.File("in.csv"), "--quiet"}).exit_code == 0);
}

// A server and a tablet store made with 'fieldcrm init', with the tablet's token.
struct Setup {
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::string db = dir.File("tablet.db");
  std::string token = server.Token("wang", "A");
  Setup() {
    REQUIRE(Cli(db, {"init", "--device", "booth-1", "--agent", "wang", "--team", "A"}).exit_code ==
            0);
  }
};

TEST_CASE("a second sync of a store while one runs is refused; a killed sync leaves no lock") {
  Setup s;
  AddCustomers(s.db, 20, 0);
  SilentServer silent;

  pid_t first =
      Spawn({FIELDCRM_CLI, "--db", s.db, "sync", "--server", silent.url(), "--token", s.token},
            "/dev/null", s.dir.File("first.out"), s.dir.File("first.err"));
  // The lock file names its holder once the lock is held.
  WaitForText(s.db + ".sync-lock", std::to_string(first));

  RunResult second = Cli(s.db, {"sync", "--server", s.server.url(), "--token", s.token});
  CHECK(second.exit_code == 1);
  CHECK_MESSAGE(second.err.find("another sync of store '" + s.db + "' is running (process " +
                                std::to_string(first) + ")") != std::string::npos,
                second.err);
  CHECK(second.err.find("nothing was sent") != std::string::npos);
  CHECK(PushCursor(s.db) == "0");
  CHECK(LogCount(s.server.storage().store()) == 0);

  kill(first, SIGKILL);
  CHECK(WaitExit(first) == 128 + SIGKILL);
  RunResult after_crash = Cli(s.db, {"sync", "--server", s.server.url(), "--token", s.token});
  CHECK_MESSAGE(after_crash.exit_code == 0, after_crash.err);
  auto tablet = OpenCustomerStore(s.db);
  CHECK(LogCount(s.server.storage().store(), tablet->device().id) == LogCount(*tablet));
}

TEST_CASE("syncs started together never push twice nor move the push cursor back") {
  Setup s;
  REQUIRE(Cli(s.db, {"sync", "--server", s.server.url(), "--token", s.token}).exit_code == 0);
  int refused = 0;
  for (int round = 0; round < 4; ++round) {
    AddCustomers(s.db, 300, round * 1000);
    std::vector<pid_t> syncs;
    for (int i = 0; i < 3; ++i) {
      std::string name = s.dir.File("sync" + std::to_string(i));
      syncs.push_back(Spawn({FIELDCRM_CLI, "--db", s.db, "sync", "--batch", "50"}, "/dev/null",
                            name + ".out", name + ".err"));
    }
    for (size_t i = 0; i < syncs.size(); ++i) {
      int code = WaitExit(syncs[i]);
      std::string err = ReadFile(s.dir.File("sync" + std::to_string(i) + ".err"));
      if (code == 1) {
        CHECK_MESSAGE(err.find("another sync of store") != std::string::npos, err);
        ++refused;
      } else {
        CHECK_MESSAGE(code == 0, err);
      }
    }
    auto tablet = OpenCustomerStore(s.db);
    Store& central = s.server.storage().store();
    // Every own change reached the server exactly once, and the cursor covers them all.
    CHECK(LogCount(central, tablet->device().id) == LogCount(*tablet));
    CHECK(std::stoll(PushCursor(s.db)) == tablet->LogHead());
    CHECK(sync::PendingChanges(*tablet) == 0);
  }
  MESSAGE(refused << " of 12 syncs found another running");
  CHECK(refused > 0);
}

}  // namespace
}  // namespace fieldcrm::testing
