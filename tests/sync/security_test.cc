// Security from the outside, with real processes and sockets: HTTPS with head office's own CA,
// plain HTTP refused off loopback, revocation and remote wipe at the next request, store files
// readable by their owner only, and failed authentications rate-limited per address.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/client_address.h"
#include "fieldcrm/sync/net_policy.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A CA and a server certificate for 127.0.0.1 in dir/name, made by the script head office uses.
std::string MakeCertificates(const TempDir& dir, const std::string& name) {
  std::string out = dir.File(name);
  RunResult made =
      Run({"/bin/bash", FIELDCRM_SOURCE_DIR "/tools/tls/make-certs.sh", out, "127.0.0.1"});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  return out;
}

std::string Token(const std::string& server_db, const std::string& agent, const std::string& team) {
  RunResult created = Server(server_db, {"token", "create", "--agent", agent, "--team", team});
  REQUIRE(created.exit_code == 0);
  return Line(created.out);
}

std::string TokenId(const std::string& server_db, const std::string& agent) {
  for (const json& token : json::parse(Server(server_db, {"--json", "token", "list"}).out)) {
    if (token["agent"] == agent) return token["id"];
  }
  FAIL("no token for " << agent);
  return "";
}

struct Tls {
  TempDir dir;
  std::string certs = MakeCertificates(dir, "hq-tls");
  std::string server_db = dir.File("server.db");
  std::string tablet = dir.File("tablet.db");
  std::string token = Token(server_db, "wang", "A");
  ServerProcess server{server_db,
                       dir.File("server.log"),
                       {"--cert", certs + "/server.pem", "--key", certs + "/server.key"}};

  Tls() {
    REQUIRE(
        Cli(tablet, {"init", "--device", "booth-1", "--agent", "wang", "--team", "A"}).exit_code ==
        0);
    REQUIRE(
        Cli(tablet, {"customer", "add", "--name", "张伟", "--phone", "13800138000"}).exit_code ==
        0);
  }
};

TEST_CASE("a tablet syncs over HTTPS with head office's CA; a server it cannot verify is refused") {
  Tls t;
  REQUIRE(t.server.url().starts_with("https://127.0.0.1:"));

  SUBCASE("with --ca-file the certificate verifies, and is remembered") {
    RunResult sync = Cli(t.tablet, {"sync", "--server", t.server.url(), "--token", t.token,
                                    "--ca-file", t.certs + "/ca.pem"});
    CHECK_MESSAGE(sync.exit_code == 0, sync.err);
    CHECK(Contains(sync.out, "sent 6"));
    RunResult again = Cli(t.tablet, {"sync"});
    CHECK_MESSAGE(again.exit_code == 0, again.err);
  }
  SUBCASE("another CA's certificate is not trusted") {
    std::string other = MakeCertificates(t.dir, "other-tls");
    RunResult sync = Cli(t.tablet, {"sync", "--server", t.server.url(), "--token", t.token,
                                    "--ca-file", other + "/ca.pem"});
    CHECK(sync.exit_code == 1);
    CHECK_MESSAGE(Contains(sync.err, "is not who it claims to be"), sync.err);
    CHECK(Contains(sync.err, "did not verify against --ca-file " + other + "/ca.pem"));
  }
  SUBCASE("without --ca-file the system's CAs do not know head office's CA") {
    RunResult sync = Cli(t.tablet, {"sync", "--server", t.server.url(), "--token", t.token});
    CHECK(sync.exit_code == 1);
    CHECK_MESSAGE(Contains(sync.err, "did not verify against this system's trusted CAs"), sync.err);
    CHECK(Contains(sync.err, "pass --ca-file"));
  }
  SUBCASE("a certificate for another host name is refused") {
    std::string port = t.server.url().substr(t.server.url().rfind(':'));
    RunResult sync = Cli(t.tablet, {"sync", "--server", "https://localhost" + port, "--token",
                                    t.token, "--ca-file", t.certs + "/ca.pem"});
    CHECK(sync.exit_code == 1);
    CHECK_MESSAGE(Contains(sync.err, "is not who it claims to be"), sync.err);
  }
  // Unverified, the tablet sent nothing, not even its token.
  if (json::parse(Cli(t.tablet, {"--json", "status"}).out)["pending"] != 0) {
    CHECK_FALSE(Contains(ReadFile(t.dir.File("server.log")), "/v1/"));
  }
}

TEST_CASE("plain HTTP only when asked for, and only on loopback") {
  TempDir dir;
  std::string db = dir.File("server.db");
  REQUIRE(Server(db, {"token", "create", "--agent", "wang", "--team", "A"}).exit_code == 0);
  RunResult unasked = Server(db, {"serve", "--listen", "127.0.0.1:0"});
  CHECK(unasked.exit_code == 1);
  CHECK(Contains(unasked.err, "refusing to serve plain HTTP: give --cert FILE --key FILE"));
  RunResult everywhere = Server(db, {"serve", "--listen", "0.0.0.0:0", "--insecure-http"});
  CHECK(everywhere.exit_code == 1);
  CHECK(Contains(everywhere.err, "refusing to serve plain HTTP on 0.0.0.0"));
  std::string not_a_pem = dir.File("notes.txt");
  std::ofstream(not_a_pem) << "not a certificate\n";
  RunResult half = Server(db, {"serve", "--listen", "127.0.0.1:0", "--cert", not_a_pem});
  CHECK(half.exit_code == 1);
  CHECK(Contains(half.err, "needs both a certificate"));
  RunResult not_pem =
      Server(db, {"serve", "--listen", "127.0.0.1:0", "--cert", not_a_pem, "--key", not_a_pem});
  CHECK(not_pem.exit_code == 1);
  CHECK(Contains(not_pem.err, "both must be PEM files"));

  std::string tablet = dir.File("tablet.db");
  REQUIRE(Cli(tablet, {"init", "--device", "booth-1"}).exit_code == 0);
  RunResult remote =
      Cli(tablet, {"sync", "--server", "http://192.0.2.10:8080", "--token", "fcrm_x"});
  CHECK(remote.exit_code == 1);
  CHECK(Contains(remote.err, "refusing plain http:// to 192.0.2.10"));
  // Loopback plain HTTP is allowed (and here simply finds no server).
  RunResult local = Cli(tablet, {"sync", "--server", "http://[::1]:1", "--token", "fcrm_x"});
  CHECK(Contains(local.err, "cannot reach the server"));
}

TEST_CASE("a revoked tablet is refused at its next request; a wiped one deletes its store") {
  Tls t;
  std::string ca = t.certs + "/ca.pem";
  REQUIRE(Cli(t.tablet, {"sync", "--server", t.server.url(), "--token", t.token, "--ca-file", ca})
              .exit_code == 0);
  // Owner-only: the store holds customers' phone numbers and the token.
  // (SQLite creates its -wal and -shm files with the database's mode.)
  struct stat info {};
  REQUIRE(stat(t.tablet.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  SUBCASE("revoked") {
    REQUIRE(Server(t.server_db, {"token", "revoke", TokenId(t.server_db, "wang")}).exit_code == 0);
    RunResult sync = Cli(t.tablet, {"sync"});
    CHECK(sync.exit_code == 1);
    CHECK(Contains(sync.err, "this token was revoked at"));
    CHECK(std::filesystem::exists(t.tablet));
  }
  SUBCASE("revoked with --wipe") {
    RunResult revoke =
        Server(t.server_db, {"token", "revoke", TokenId(t.server_db, "wang"), "--wipe"});
    REQUIRE(revoke.exit_code == 0);
    CHECK(Contains(revoke.out, "will delete its store at its next contact"));
    CHECK(json::parse(Server(t.server_db, {"--json", "token", "list"}).out)[0]["wipe"] == true);
    RunResult sync = Cli(t.tablet, {"sync"});
    CHECK(sync.exit_code == 1);
    CHECK(Contains(sync.err, "ordered its data wiped: deleted " + t.tablet));
    CHECK_FALSE(std::filesystem::exists(t.tablet));
    CHECK_FALSE(std::filesystem::exists(t.tablet + "-wal"));
    CHECK_FALSE(std::filesystem::exists(t.tablet + "-shm"));
    CHECK(Contains(ReadFile(t.dir.File("server.log")), " 410 "));
  }
}

TEST_CASE("failed authentications are rate-limited per address; valid tokens are not") {
  TempDir dir;
  TestServer server{dir.File("server.db"), {.auth_failure_limit = 3}};
  int port = std::stoi(server.url().substr(server.url().rfind(':') + 1));
  std::string valid = server.Token("wang", "A");

  for (int attempt = 0; attempt < 3; ++attempt) {
    CHECK(RequestFrom("127.0.0.2", port, "fcrm_guess").first == 401);
  }
  auto [status, retry_after] = RequestFrom("127.0.0.2", port, "fcrm_guess");
  CHECK(status == 429);
  CHECK(std::stoi(retry_after) >= 1);
  CHECK(std::stoi(retry_after) <= 60);
  CHECK(RequestFrom("127.0.0.2", port, "").first == 429);
  // A tablet with a valid token behind the same address still syncs; other addresses are
  // judged on their own.
  CHECK(RequestFrom("127.0.0.2", port, valid).first == 200);
  CHECK(RequestFrom("127.0.0.3", port, "fcrm_guess").first == 401);
  CHECK(RequestFrom("127.0.0.1", port, valid).first == 200);
}

TEST_CASE("the failure window ends, and loopback means loopback") {
  int64_t now_ms = 1'000;
  sync::LocalAuthFailureLimiter limiter(2, 60'000, [&] { return now_ms; });
  limiter.NoteFailure("10.0.0.1");
  now_ms = 2'000;
  limiter.NoteFailure("10.0.0.1");
  CHECK(limiter.RetryAfterSeconds("10.0.0.1") == 59);
  CHECK(limiter.RetryAfterSeconds("10.0.0.2") == 0);
  now_ms = 61'000;
  CHECK(limiter.RetryAfterSeconds("10.0.0.1") == 0);
  limiter.NoteFailure("10.0.0.1");  // a new window
  CHECK(limiter.RetryAfterSeconds("10.0.0.1") == 0);

  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
    CHECK_MESSAGE(sync::IsLoopbackHost(host), host);
  }
  for (const char* host : {"0.0.0.0", "192.168.1.10", "::", "localhost.example.com", "128.0.0.1",
                           "::ffff:8.8.8.8", ""}) {
    CHECK_FALSE_MESSAGE(sync::IsLoopbackHost(host), host);
  }
}

TEST_CASE("X-Forwarded-For names the client only on connections from a trusted proxy") {
  sync::ClientAddresses clients({"10.0.0.5", "::1"});
  // From the balancer: the address it appended, whatever the client wrote to the left of it.
  CHECK(clients.Of("10.0.0.5", "203.0.113.7") == "203.0.113.7");
  CHECK(clients.Of("10.0.0.5", "1.2.3.4, 203.0.113.7") == "203.0.113.7");
  CHECK(clients.Of("0:0::1", "2001:db8::0001") == "2001:db8::1");
  // Through two trusted hops: the first untrusted address from the right.
  CHECK(clients.Of("10.0.0.5", "198.51.100.2,10.0.0.5") == "198.51.100.2");
  // Only trusted hops: the leftmost.
  CHECK(clients.Of("10.0.0.5", "::1") == "::1");
  // Anyone else's header is ignored: a client cannot pick the address it is counted under.
  CHECK(clients.Of("203.0.113.7", "198.51.100.2") == "203.0.113.7");
  CHECK(clients.Of("10.0.0.5", "") == "10.0.0.5");
  // What is no address was not written by the balancer: the connection's peer.
  CHECK(clients.Of("10.0.0.5", "evil, 203.0.113.7") == "203.0.113.7");
  CHECK(clients.Of("10.0.0.5", "203.0.113.7, unknown") == "10.0.0.5");
  CHECK_THROWS_AS(sync::ClientAddresses({"balancer.example.com"}), InvalidInput);
  CHECK(sync::ClientAddresses().Of("10.0.0.5", "203.0.113.7") == "10.0.0.5");
}

}  // namespace
}  // namespace fieldcrm::testing
