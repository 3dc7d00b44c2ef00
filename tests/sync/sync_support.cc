#include "tests/sync/sync_support.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "fieldcrm/postgres/pg_connection.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/sync/transport.h"
#include "tests/support/postgres_cluster.h"
#include "tests/support/run.h"

namespace fieldcrm::testing {

namespace {

// In-process stores skip fsync: durability against power loss is not what these tests check, and
// a SIGKILL (the faults they inject) loses nothing the OS already has.
void SkipFsync(Store& store) {
  StoreDatabase(store).Exec("PRAGMA synchronous = OFF");
}

}  // namespace

namespace {

// Plain HTTP on loopback for tests, unless they give a certificate.
sync::ServerOptions PlainUnlessCertificate(sync::ServerOptions options) {
  options.allow_plain_http = options.cert_file.empty();
  return options;
}

}  // namespace

TestServer::TestServer(const std::string& db, sync::ServerOptions options, const Env& env)
    : db_(ServerDb(db)),
      storage_(db_, env),
      server_(storage_, PlainUnlessCertificate(std::move(options))) {
  SkipFsync(storage_.store());
  int port = server_.Bind("127.0.0.1", 0);
  url_ = server_.Scheme() + "://127.0.0.1:" + std::to_string(port);
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

int64_t TestServer::CountRows(const std::string& table) {
  std::string count = "SELECT count(*) FROM " + table;
  if (postgres::IsPostgresUrl(db_)) return postgres::PgConnection(db_).Exec(count).Int(0, 0);
  return StoreDatabase(storage_.store()).QueryInt(count).value();
}

std::unique_ptr<sync::SqliteServerStorage> OpenServer(const std::string& path) {
  auto storage = std::make_unique<sync::SqliteServerStorage>(ServerDb(path));
  storage->CatchUp();
  return storage;
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

std::unique_ptr<ServerProcess> RestartServer(const std::string& db, const std::string& log_path,
                                             const std::string& url) {
  auto server = std::make_unique<ServerProcess>(
      db, log_path, std::vector<std::string>{"--insecure-http"}, url.substr(url.find("//") + 2));
  REQUIRE(server->url() == url);
  return server;
}

std::string ServerDb(const std::string& path) {
  const char* postgres = getenv("FIELDCRM_TEST_POSTGRES");
  if (!postgres || std::string(postgres) != "1") return path;
  static std::mutex mutex;
  static std::map<std::string, std::string> databases;
  std::lock_guard lock(mutex);
  static PostgresCluster cluster;
  auto [it, fresh] = databases.try_emplace(path, "store" + std::to_string(databases.size()));
  if (fresh) cluster.CreateDatabase(it->second);
  return cluster.Url(it->second);
}

RunResult Server(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FIELDCRM_SERVER, "--db", ServerDb(db)};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

ServerProcess::ServerProcess(const std::string& db, const std::string& log_path,
                             const std::vector<std::string>& serve_flags,
                             const std::string& listen) {
  std::string out = log_path + ".out";
  std::vector<std::string> args = {FIELDCRM_SERVER, "--db",     ServerDb(db),
                                   "serve",         "--listen", listen};
  args.insert(args.end(), serve_flags.begin(), serve_flags.end());
  pid_ = Spawn(args, "/dev/null", out, log_path);
  WaitForText(out, "\n");
  std::string line = ReadFile(out);
  url_ = line.substr(line.find("http"));
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

int ServerProcess::Terminate() {
  kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the server did not stop");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
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
                                 const std::string& team, const Env& env) {
  auto store = CreateCustomerStore(path, {"", "tablet-" + agent, agent, team}, env);
  SkipFsync(*store);
  return store;
}

sync::SyncReport SyncWith(Store& store, const std::string& url, const std::string& token,
                          sync::SyncOptions options) {
  auto transport = sync::MakeHttpTransport(url, token);
  return sync::SyncClient(store, *transport, std::move(options)).Run();
}

namespace {

// Every row of the query as one line, columns separated by '|'.
void AppendRows(Store& store, const std::string& sql, int columns, std::string& out) {
  Statement& stmt = StoreDatabase(store).Prepare(sql);
  while (stmt.Step()) {
    for (int col = 0; col < columns; ++col) out += stmt.Text(col) + '|';
    out += '\n';
  }
  stmt.Reset();
}

}  // namespace

std::string CanonicalDump(Store& store) {
  std::string out;
  AppendRows(store,
             "SELECT id, kind, COALESCE(parent, ''), COALESCE(root, ''), deleted, doc FROM records "
             "ORDER BY id",
             6, out);
  AppendRows(store,
             "SELECT record, field, COALESCE(value, 'null'), hlc, device FROM field_state "
             "ORDER BY record, field",
             5, out);
  return out;
}

int64_t WinnersMissing(Store& replica, Store& central, const std::string& device) {
  Statement& winners = StoreDatabase(central).Prepare(
      "SELECT record, field, hlc, device FROM field_state WHERE ?1 = '' OR device = ?1");
  winners.Bind(device);
  int64_t missing = 0;
  while (winners.Step()) {
    missing += StoreDatabase(replica)
                   .QueryInt(
                       "SELECT count(*) = 0 FROM log WHERE record = ? AND field = ? AND "
                       "hlc = ? AND device = ?",
                       winners.Text(0), winners.Text(1), winners.Int(2), winners.Text(3))
                   .value();
  }
  winners.Reset();
  return missing;
}

int64_t LogCount(Store& store, const std::string& device) {
  return StoreDatabase(store)
      .QueryInt("SELECT count(*) FROM log WHERE ?1 = '' OR device = ?1", device)
      .value();
}

std::pair<int, std::string> RequestFrom(const std::string& from, int port,
                                        const std::string& token) {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from.c_str(), &local.sin_addr);
  REQUIRE(bind(sock, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  REQUIRE(connect(sock, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0);
  std::string request =
      "GET /v1/sync/pull?protocol=1&device=01a212c9-b654-7d60-a820-3de659bb3eb3&after=0&limit=10 "
      "HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer " +
      token + "\r\nConnection: close\r\n\r\n";
  REQUIRE(write(sock, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t got; (got = read(sock, buffer, sizeof buffer)) > 0;) answer.append(buffer, got);
  close(sock);
  REQUIRE(answer.starts_with("HTTP/1.1 "));
  std::string retry_after;
  if (size_t at = answer.find("Retry-After: "); at != std::string::npos) {
    retry_after = answer.substr(at + 13, answer.find("\r\n", at) - at - 13);
  }
  return {std::stoi(answer.substr(9, 3)), retry_after};
}

}  // namespace fieldcrm::testing
