// Shared by the sync tests: a real server on 127.0.0.1 (in-process on a thread, or as a
// fieldcrm-server process), tablets as real store files, a transport that loses messages on
// purpose, and a canonical dump to compare replicas.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fieldcrm/server/server.h"
#include "fieldcrm/server/sqlite_server_storage.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/sync/client.h"
#include "tests/support/run.h"

namespace fieldcrm::testing {

class TestServer {
 public:
  // env: the server's clock (must outlive the server).
  explicit TestServer(const std::string& db, sync::ServerOptions options = {},
                      const Env& env = Env::Default());
  ~TestServer();
  const std::string& url() const { return url_; }
  std::string Token(const std::string& agent, const std::string& team,
                    sync::Role role = sync::Role::kAgent);
  sync::SqliteServerStorage& storage() { return storage_; }
  // Rows in one of the server's own tables, in SQLite or PostgreSQL.
  int64_t CountRows(const std::string& table);

 private:
  std::string db_;  // ServerDb's
  sync::SqliteServerStorage storage_;
  sync::SyncServer server_;
  std::string url_;
  std::thread thread_;
};

// fieldcrm-server serve as a child process; SIGKILLed if still running at scope exit.
class ServerProcess {
 public:
  // serve_flags: plain HTTP on loopback unless the test gives --cert and --key. listen: a free
  // port unless given (a restart on the port tablets remember).
  ServerProcess(const std::string& db, const std::string& log_path,
                const std::vector<std::string>& serve_flags = {"--insecure-http"},
                const std::string& listen = "127.0.0.1:0");
  ~ServerProcess();
  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }
  void Kill();  // SIGKILL
  // SIGTERM, then waits for the exit (failing the test after a minute); returns waitpid's status.
  int Terminate();

 private:
  pid_t pid_ = -1;
  std::string url_;
};

// The server of store db started again (plain HTTP) where it was, at url, logging to log_path:
// tablets find it where they remember it.
std::unique_ptr<ServerProcess> RestartServer(const std::string& db, const std::string& log_path,
                                             const std::string& url);

// The server's store for a test's store path: the path itself or, with FIELDCRM_TEST_POSTGRES=1
// (the suites registered again as *_postgres), the URL of a database of its own in a cluster this
// test program starts: the same database for the same path, so a restarted server finds its
// data. TestServer, ServerProcess and Server use it.
std::string ServerDb(const std::string& path);

// The server's storage on a test's store path (ServerDb), opened in the test's own process and
// caught up: to read what a server process left.
std::unique_ptr<sync::SqliteServerStorage> OpenServer(const std::string& path);

// fieldcrm-server --db db ARGS..., run to its end.
RunResult Server(const std::string& db, const std::vector<std::string>& args);

// Waits until the file contains text; fails the test after a generous minute.
void WaitForText(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);

// Passes the first `succeed` calls to the real transport; then fails every call, either before
// sending (the request is lost) or after the server answered (the answer is lost).
class LossyTransport : public sync::Transport {
 public:
  LossyTransport(sync::Transport& real, int succeed, bool lose_answer)
      : real_(real), succeed_(succeed), lose_answer_(lose_answer) {}
  sync::HttpReply Get(const std::string& path) override;
  sync::HttpReply Post(const std::string& path, const nlohmann::json& body) override;
  void CompressRequests(bool on) override { real_.CompressRequests(on); }
  void Cancel() override { real_.Cancel(); }

 private:
  template <typename Send>
  sync::HttpReply Maybe(Send send);
  sync::Transport& real_;
  int succeed_;
  bool lose_answer_;
};

std::unique_ptr<Store> NewTablet(const std::string& path, const std::string& agent,
                                 const std::string& team, const Env& env = Env::Default());
// One full sync of store with the server at url.
sync::SyncReport SyncWith(Store& store, const std::string& url, const std::string& token,
                          sync::SyncOptions options = {});

// Records and per-field state, ordered by key: equal dumps mean equal replicas.
std::string CanonicalDump(Store& store);
int64_t LogCount(Store& store, const std::string& device = "");
// The winning writes (of `device`, or of every device when empty) that `central` holds and
// replica's log lacks: none once every change that still decides a field reached the replica. A
// tablet that bootstrapped from a snapshot holds those, not the writes they replaced before it.
int64_t WinnersMissing(Store& replica, Store& central, const std::string& device = "");

// One pull request with this token over a socket bound to source address `from` (any of 127/8
// reaches 127.0.0.1:port): the status line's code and the Retry-After header ("" when absent).
std::pair<int, std::string> RequestFrom(const std::string& from, int port,
                                        const std::string& token);

}  // namespace fieldcrm::testing
