#include "tests/sync/sync_support.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "sync/transport.h"
#include "tests/support/run.h"

extern char** environ;

namespace fieldcrm::testing {

namespace {

// In-process stores skip fsync: durability against power loss is not what these tests check, and
// a SIGKILL (the faults they inject) loses nothing the OS already has.
void SkipFsync(Store& store) {
  store.db().Exec("PRAGMA synchronous = OFF");
}

}  // namespace

TestServer::TestServer(const std::string& db, sync::ServerOptions options)
    : storage_(db), server_(storage_, options) {
  SkipFsync(storage_.store());
  int port = server_.Bind("127.0.0.1", 0);
  url_ = "http://127.0.0.1:" + std::to_string(port);
  thread_ = std::thread([this] { server_.Serve(); });
}

TestServer::~TestServer() {
  server_.Stop();
  thread_.join();
}

std::string TestServer::Token(const std::string& agent, const std::string& team, sync::Role role) {
  sync::TokenInfo info{"", agent, team, role, "", ""};
  return sync::IssueToken(storage_, info);
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path,
            const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "cannot start " << argv[0]);
  return pid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

void WaitForText(const std::string& path, const std::string& text) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (ReadFile(path).find(text) == std::string::npos) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                    "'" << text << "' never appeared in " << path << ": " << ReadFile(path));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ServerProcess::ServerProcess(const std::string& db, const std::string& log_path) {
  std::string out = log_path + ".out";
  pid_ = Spawn(
      {FIELDCRM_BINARY_DIR "/sync/fieldcrm-server", "--db", db, "serve", "--listen", "127.0.0.1:0"},
      out, log_path);
  WaitForText(out, "\n");
  std::string line = ReadFile(out);
  url_ = line.substr(line.find("http://"));
  while (!url_.empty() && url_.back() == '\n') url_.pop_back();
}

ServerProcess::~ServerProcess() {
  Kill();
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

template <typename Send>
sync::HttpReply LossyTransport::Maybe(Send send) {
  if (succeed_-- > 0) return send();
  if (lose_answer_) send();
  throw sync::NetworkError("message lost on purpose");
}

sync::HttpReply LossyTransport::Get(const std::string& path) {
  return Maybe([&] { return real_.Get(path); });
}

sync::HttpReply LossyTransport::Post(const std::string& path, const nlohmann::json& body) {
  return Maybe([&] { return real_.Post(path, body); });
}

std::unique_ptr<Store> NewTablet(const std::string& path, const std::string& agent,
                                 const std::string& team) {
  auto store = Store::Create(path, {"", "tablet-" + agent, agent, team});
  SkipFsync(*store);
  return store;
}

sync::SyncReport SyncWith(Store& store, const std::string& url, const std::string& token,
                          sync::SyncOptions options) {
  auto transport = sync::MakeHttpTransport(url, token);
  return sync::SyncClient(store, *transport, std::move(options)).Run();
}

std::string CanonicalDump(Store& store) {
  std::string out;
  Statement& records = store.db().Prepare(
      "SELECT id, kind, COALESCE(parent, ''), COALESCE(root, ''), deleted, doc FROM records "
      "ORDER BY id");
  while (records.Step()) {
    for (int col = 0; col < 6; ++col) out += records.Text(col) + '|';
    out += '\n';
  }
  records.Reset();
  Statement& fields = store.db().Prepare(
      "SELECT record, field, COALESCE(value, 'null'), hlc, device FROM field_state "
      "ORDER BY record, field");
  while (fields.Step()) {
    for (int col = 0; col < 5; ++col) out += fields.Text(col) + '|';
    out += '\n';
  }
  fields.Reset();
  return out;
}

int64_t LogCount(Store& store, const std::string& device) {
  return store.db()
      .QueryInt("SELECT count(*) FROM log WHERE ?1 = '' OR device = ?1", device)
      .value();
}

}  // namespace fieldcrm::testing
