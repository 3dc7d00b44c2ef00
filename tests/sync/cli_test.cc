// The commands people type: fieldcrm sync / status and fieldcrm-server token ..., with their
// messages and exit codes.
#include <doctest/doctest.h>

#include <fstream>

#include "fieldcrm/model/customers.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

// A server, and a tablet store made with 'fieldcrm init'.
struct CliSetup {
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::string db = dir.File("tablet.db");
  CliSetup() {
    REQUIRE(Cli(db, {"init", "--device", "booth-1", "--agent", "wang", "--team", "A"}).exit_code ==
            0);
  }
};

TEST_CASE("sync prints a summary, status shows where the tablet stands") {
  CliSetup s;
  TestServer& server = s.server;
  const std::string& db = s.db;
  REQUIRE(Cli(db, {"customer", "add", "--name", "张伟", "--phone", "13800138000"}).exit_code == 0);

  RunResult before = Cli(db, {"status"});
  CHECK(before.out.find("last sync:     never") != std::string::npos);
  CHECK(before.out.find("pending:       6 changes not yet sent") != std::string::npos);

  RunResult sync =
      Cli(db, {"sync", "--server", server.url(), "--token", server.Token("wang", "A")});
  CHECK(sync.exit_code == 0);
  CHECK(Line(sync.out) == "synced with " + server.url() +
                              ": sent 6, received 0, conflicts 0, duplicates merged 0, refused 0");

  json status = json::parse(Cli(db, {"--json", "status"}).out);
  CHECK(status["pending"] == 0);
  CHECK(status["server"] == server.url());
  CHECK(status["server_cursor"] == 6);  // past its own changes, which are not sent back
  CHECK(status["device"] == "booth-1");
  CHECK(Cli(db, {"status"}).out.find("clock:         in step with the server") !=
        std::string::npos);
  // Remembered: a plain 'sync' works next time.
  CHECK(Cli(db, {"sync"}).exit_code == 0);

  json devices = json::parse(Server(s.dir.File("server.db"), {"--json", "devices"}).out);
  REQUIRE(devices.size() == 1);
  CHECK(devices[0]["device"] == status["device_id"]);
  CHECK(devices[0]["agent"] == "wang");
  CHECK(devices[0]["last_push_at"] != "");
  CHECK(devices[0]["last_pull_at"] != "");
}

TEST_CASE("sync explains what is wrong and exits 1") {
  CliSetup s;
  TestServer& server = s.server;
  const std::string& db = s.db;
  auto expect = [&](const std::vector<std::string>& args, const std::string& message) {
    RunResult r = Cli(db, args);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.err.find(message) != std::string::npos, r.err);
  };
  expect({"sync"}, "no --server given");
  expect({"sync", "--server", "ftp://example.com", "--token", "x"}, "is not a server URL");
  expect({"sync", "--server", "http://127.0.0.1:1", "--token", "x"}, "cannot reach the server");
  expect({"sync", "--server", server.url(), "--token", "fcrm_wrong"}, "unknown token");

  std::string token = server.Token("wang", "A");
  REQUIRE(Cli(db, {"sync", "--server", server.url(), "--token", token}).exit_code == 0);
  auto tokens = server.storage().ListTokens();
  REQUIRE(Server(s.dir.File("server.db"), {"token", "revoke", tokens.back().id}).exit_code == 0);
  expect({"sync"}, "revoked");
}

TEST_CASE("customer set-many's edits sync like customer set's") {
  CliSetup s;
  std::string zhang =
      Line(Cli(s.db, {"customer", "add", "--name", "张伟", "--phone", "13800138000"}).out);
  REQUIRE(Cli(s.db, {"customer", "add", "--name", "李娜", "--phone", "13900001111"}).exit_code ==
          0);
  REQUIRE(Cli(s.db, {"sync", "--server", s.server.url(), "--token", s.server.Token("wang", "A")})
              .exit_code == 0);
  std::string colleague = s.dir.File("colleague.db");
  REQUIRE(
      Cli(colleague, {"init", "--device", "booth-2", "--agent", "li", "--team", "A"}).exit_code ==
      0);
  REQUIRE(Cli(colleague, {"sync", "--server", s.server.url(), "--token", s.server.Token("li", "A")})
              .exit_code == 0);

  std::ofstream(s.dir.File("edits.jsonl"))
      << "{\"id\": \"" << zhang << "\", \"stage\": \"buyer\"}\n"
      << "{\"phone\": \"13900001111\", \"budget\": \"500万\"}\n";
  REQUIRE(Cli(s.db, {"customer", "set-many", s.dir.File("edits.jsonl")}).exit_code == 0);
  CHECK(Line(Cli(s.db, {"sync"}).out).find("sent 2,") != std::string::npos);
  CHECK(Line(Cli(colleague, {"sync"}).out).find("received 2,") != std::string::npos);
  CHECK(json::parse(Cli(colleague, {"--json", "customer", "get", zhang}).out)["stage"] == "buyer");
  CHECK(json::parse(Cli(colleague, {"--json", "customer", "find", "--phone", "13900001111"})
                        .out)["budget"] == 5000000);
}

TEST_CASE("fieldcrm-server token commands") {
  TempDir dir;
  std::string db = dir.File("server.db");
  RunResult created = Server(db, {"token", "create", "--agent", "王芳", "--team", "滨江一组"});
  REQUIRE(created.exit_code == 0);
  CHECK(Line(created.out).starts_with("fcrm_"));
  CHECK(Line(created.out).size() == 69);
  RunResult office = Server(db, {"token", "create", "--agent", "总部", "--role", "office"});
  CHECK(office.exit_code == 0);
  json list = json::parse(Server(db, {"--json", "token", "list"}).out);
  REQUIRE(list.size() == 2);
  CHECK(list[0]["agent"] == "王芳");
  CHECK(list[1]["role"] == "office");
  CHECK(Server(db, {"token", "list"}).out.find(Line(created.out)) == std::string::npos);
  CHECK(Server(db, {"token", "revoke", list[0]["id"]}).exit_code == 0);
  CHECK(json::parse(Server(db, {"--json", "token", "list"}).out)[0]["revoked_at"] != "");

  RunResult again = Server(db, {"token", "revoke", list[0]["id"]});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("no valid token") != std::string::npos);
  RunResult no_team = Server(db, {"token", "create", "--agent", "x"});
  CHECK(no_team.exit_code == 1);
  CHECK(no_team.err.find("needs --team") != std::string::npos);
  RunResult bad_role = Server(db, {"token", "create", "--agent", "x", "--role", "boss"});
  CHECK(bad_role.exit_code == 1);
  RunResult listen = Server(db, {"serve", "--listen", "localhost"});
  CHECK(listen.exit_code == 1);
  CHECK(listen.err.find("HOST:PORT") != std::string::npos);

  std::string tablet = dir.File("tablet.db");
  REQUIRE(Cli(tablet, {"init", "--device", "booth-1"}).exit_code == 0);
  RunResult wrong_file = Server(tablet, {"token", "list"});
  CHECK(wrong_file.exit_code == 1);
  CHECK(wrong_file.err.find("a tablet's store, not a server's") != std::string::npos);
}

}  // namespace
}  // namespace fieldcrm::testing
