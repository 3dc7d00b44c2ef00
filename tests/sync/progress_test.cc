// A long sync's progress as people and scripts see it, with real processes: a fieldcrm-server,
// tablets syncing by the CLI with stderr a file (plain lines), `fieldcrm status --json` while a
// sync runs, after it, and after one killed mid-way.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr int kCustomers = 500;  // six changes each: 3000 changes
constexpr int64_t kChanges = kCustomers * 6;

// A server; tablet A holding kCustomers customers (imported, unsent); tablet B of the same team.
struct LongSync {
  TempDir dir;
  TestServer server{dir.File("hq.db")};
  std::string a = dir.File("a.db"), b = dir.File("b.db");
  LongSync() {
    for (auto [db, agent] : {std::pair{a, "a"}, {b, "b"}}) {
      REQUIRE(Cli(db, {"init", "--device", agent, "--agent", agent, "--team", "T1"}).exit_code ==
              0);
      std::string token = server.Token(agent, "T1");
      REQUIRE(Cli(db, {"sync", "--server", server.url(), "--token", token}).exit_code == 0);
    }
    std::ofstream csv(dir.File("customers.csv"));
    csv << "name,phone\n";
    for (int i = 0; i < kCustomers; ++i) csv << "客户" << i << ",139" << 10'000'000 + i << "\n";
    csv.close();
    RunResult imported = Cli(a, {"import", dir.File("customers.csv"), "--quiet"});
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The figure after `label ` in the sync's summary line ("sent 3000, received 0, ...").
int64_t Summary(const std::string& out, const std::string& label) {
  std::smatch match;
  REQUIRE_MESSAGE(std::regex_search(out, match, std::regex(label + " (\\d+)")), out);
  return std::stoll(match[1]);
}

json Status(const std::string& db) {
  RunResult status = Cli(db, {"--json", "status"});
  REQUIRE_MESSAGE(status.exit_code == 0, status.err);
  return json::parse(status.out);
}

// "..., 412 KB, 2100 changes/s, 1 s left" or "..., in 2.1 s" once complete.
const std::string kFigures =
    R"(, [0-9.]+ (B|KB|MB)(, \d+ changes/s)?(, \d+ s left|, in [0-9.]+ s)$)";

TEST_CASE("a long sync prints readable progress whose last lines carry the final counts") {
  LongSync t;
  RunResult push = Cli(t.a, {"sync", "--batch", "400"});
  REQUIRE_MESSAGE(push.exit_code == 0, push.err);
  CHECK(Summary(push.out, "sent") == kChanges);
  std::vector<std::string> lines = Lines(push.err);
  REQUIRE(!lines.empty());
  std::regex sent_line("^sent (\\d+)/(\\d+) changes" + kFigures);
  int64_t before = 0;
  for (const std::string& line : lines) {
    std::smatch match;
    REQUIRE_MESSAGE(std::regex_match(line, match, sent_line), line);  // stderr: progress only
    CHECK(std::stoll(match[2]) == kChanges);
    CHECK(std::stoll(match[1]) >= before);  // counts only grow
    before = std::stoll(match[1]);
  }
  CHECK(lines.back().starts_with("sent 3000/3000 changes, "));
  CHECK(lines.back().find(", in ") != std::string::npos);

  RunResult pull = Cli(t.b, {"sync", "--batch", "400"});
  REQUIRE_MESSAGE(pull.exit_code == 0, pull.err);
  CHECK(Summary(pull.out, "received") == kChanges);
  lines = Lines(pull.err);
  REQUIRE(!lines.empty());
  std::regex received_line(R"(^received (\d+) changes \(server position (\d+) of (\d+)\))" +
                           kFigures);
  for (const std::string& line : lines) {
    CHECK_MESSAGE(std::regex_match(line, received_line), line);
  }
  std::smatch last;
  REQUIRE(std::regex_match(lines.back(), last, received_line));
  CHECK(std::stoll(last[1]) == kChanges);
  CHECK(last[2] == last[3]);  // up to the server's head

  // And status --json keeps how each ended, with the same counts.
  json a_run = Status(t.a)["sync"];
  CHECK(a_run["state"] == "done");
  CHECK(a_run["sent"] == kChanges);
  CHECK(a_run["to_send"] == kChanges);
  CHECK(a_run["bytes_sent"].get<int64_t>() > kChanges * 10);
  json b_run = Status(t.b)["sync"];
  CHECK(b_run["state"] == "done");
  CHECK(b_run["received"] == kChanges);
  CHECK(b_run["fraction"] == 1.0);
  CHECK(Cli(t.b, {"status"}).out.find("sync:          done: received 3000 changes") !=
        std::string::npos);
  // A sync that needs one request says nothing on stderr.
  RunResult quiet = Cli(t.b, {"sync"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err == "");
}

TEST_CASE("status --json shows a sync running now, and one killed mid-way as interrupted") {
  LongSync t;
  REQUIRE(Cli(t.a, {"sync"}).exit_code == 0);
  // One change a request: long enough to be seen running.
  pid_t syncing = Spawn({FIELDCRM_CLI, "--db", t.b, "sync", "--batch", "1"}, "/dev/null",
                        t.dir.File("b.out"), t.dir.File("b.err"));
  json running;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::chrono::steady_clock::now() < until;) {
    running = Status(t.b)["sync"];
    if (running.is_object() && running["state"] == "running" && running["received"] > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE_MESSAGE(running["state"] == "running", running.dump());
  CHECK(running["direction"] == "receive");
  CHECK(running["received"].get<int64_t>() < kChanges);
  CHECK(running["pull_at"].get<int64_t>() <= running["pull_head"].get<int64_t>());
  CHECK(running["pid"] == syncing);
  CHECK(running["line"].get<std::string>().starts_with("received "));

  kill(syncing, SIGKILL);
  waitpid(syncing, nullptr, 0);
  json killed = Status(t.b)["sync"];
  CHECK(killed["state"] == "interrupted");
  CHECK(killed["received"].get<int64_t>() < kChanges);
  CHECK(Cli(t.b, {"status"}).out.find("sync:          interrupted: received ") !=
        std::string::npos);

  // The next sync resumes it and says so when done.
  REQUIRE(Cli(t.b, {"sync"}).exit_code == 0);
  json done = Status(t.b)["sync"];
  CHECK(done["state"] == "done");
  CHECK(done["pull_at"] == done["pull_head"]);
  CHECK(json::parse(Cli(t.b, {"--json", "customer", "list"}).out).size() == kCustomers);
}

}  // namespace
}  // namespace fieldcrm::testing
