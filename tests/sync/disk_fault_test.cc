// Disk faults and crashes of the real `fieldcrm` process: the store's disk filling up in the
// middle of a write or of a sync, and `fieldcrm sync` killed with SIGKILL at random points. Each
// time the command must fail with a message naming the problem, SQLite's integrity check must
// pass, nothing written before may be lost, and running the command again must finish the job.
//
// A full disk is made real without root or a special mount: the child runs with RLIMIT_FSIZE
// lowered and SIGXFSZ ignored, so its write() calls past the limit fail with EFBIG, as write()
// fails with ENOSPC on a full disk. A read-only disk likewise: the child runs with the
// read_only_files shim preloaded, so opening the store's files for writing fails with EROFS
// (chmod would not stop root, and a read-only mount needs privileges).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs the CLI with every file it writes limited to max_bytes.
RunResult CliOnFullDisk(const std::string& db, const std::vector<std::string>& args,
                        uintmax_t max_bytes) {
  TempDir io;
  std::vector<std::string> argv = {FIELDCRM_CLI, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  signal(SIGXFSZ, SIG_IGN);  // inherited: the child gets EFBIG instead of being killed
  rlimit normal{};
  getrlimit(RLIMIT_FSIZE, &normal);
  rlimit limited{static_cast<rlim_t>(max_bytes), normal.rlim_max};
  setrlimit(RLIMIT_FSIZE, &limited);
  pid_t pid = Spawn(argv, "/dev/null", io.File("out"), io.File("err"));
  setrlimit(RLIMIT_FSIZE, &normal);
  RunResult result;
  result.exit_code = WaitExit(pid);
  result.out = ReadFile(io.File("out"));
  result.err = ReadFile(io.File("err"));
  return result;
}

// Room for a little more than what the store already takes.
uintmax_t AlmostFull(const std::string& db) {
  return std::filesystem::file_size(db) + 16 * 1024;
}

std::string IntegrityCheck(const std::string& db) {
  auto store = OpenCustomerStore(db);
  return StoreDatabase(*store).QueryText("PRAGMA integrity_check").value_or("no answer");
}

void CheckNamesFullDisk(const RunResult& r) {
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("fieldcrm: error:") == 0, r.err);
  CHECK_MESSAGE(r.err.find("could not be written") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("free some space on it") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("nothing already saved is lost") != std::string::npos, r.err);
}

// Runs the CLI with the store's folder read-only.
RunResult CliOnReadOnlyDisk(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "/usr/bin/env",
      "LD_PRELOAD=" FIELDCRM_READ_ONLY_SHIM,
      "FIELDCRM_READ_ONLY_PREFIX=" + std::filesystem::path(db).parent_path().string(),
      "ASAN_OPTIONS=verify_asan_link_order=0",
      FIELDCRM_CLI,
      "--db",
      db};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

void CheckNamesReadOnlyDisk(const RunResult& r) {
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("fieldcrm: error:") == 0, r.err);
  CHECK_MESSAGE(r.err.find("is read-only; make it writable") != std::string::npos, r.err);
}

std::string CustomersCsv(int count, int first_phone) {
  std::string csv = "姓名,电话\n";
  for (int i = 0; i < count; ++i) {
    csv += "客户" + std::to_string(i) + "," + std::to_string(13700000000 + first_phone + i) + "\n";
  }
  return csv;
}

void AddCustomers(Store& store, int count, int first_phone) {
  Transaction txn(StoreDatabase(store));
  for (int i = 0; i < count; ++i) {
    Customers(store).Add({{"name", "王客户" + std::to_string(first_phone + i)},
                          {"phone", std::to_string(13900000000 + first_phone + i)}});
  }
  txn.Commit();
}

TEST_CASE("the disk filling up during an import fails clearly and keeps the store whole") {
  TempDir dir;
  std::string db = dir.File("tablet.db");
  REQUIRE(Cli(db, {"init", "--device", "tab-1", "--agent", "王芳", "--team", "一组"}).exit_code ==
          0);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(Cli(db, {"customer", "add", "--name", "李" + std::to_string(i), "--phone",
                     std::to_string(13800000000 + i)})
                .exit_code == 0);
  }
  std::string before = Cli(db, {"export", "--format", "json"}).out;
  std::string csv = dir.File("big.csv");
  std::ofstream(csv) << CustomersCsv(3000, 0);

  CheckNamesFullDisk(CliOnFullDisk(db, {"import", csv}, AlmostFull(db)));
  CHECK(IntegrityCheck(db) == "ok");
  CHECK(Cli(db, {"export", "--format", "json"}).out == before);  // all of the import or none

  RunResult again = Cli(db, {"import", csv});  // space is back
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  CHECK(Customers(*OpenCustomerStore(db)).List({}).size() == 3003);
  CHECK(IntegrityCheck(db) == "ok");
}

TEST_CASE("the disk filling up during a sync fails clearly; the next sync completes") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  {
    auto seller = NewTablet(dir.File("seller.db"), "wang", "A");
    AddCustomers(*seller, 1500, 0);
    SyncWith(*seller, server.url(), server.Token("wang", "A"));
  }
  std::string db = dir.File("tablet.db");
  REQUIRE(Cli(db, {"init", "--device", "tab-li", "--agent", "li", "--team", "A"}).exit_code == 0);
  REQUIRE(Cli(db, {"customer", "add", "--name", "赵敏", "--phone", "13600000000"}).exit_code == 0);
  std::string token = server.Token("li", "A");

  CheckNamesFullDisk(CliOnFullDisk(
      db, {"sync", "--server", server.url(), "--token", token, "--batch", "200"}, AlmostFull(db)));
  CHECK(IntegrityCheck(db) == "ok");
  CHECK(Customers(*OpenCustomerStore(db)).FindByPhone("13600000000"));

  RunResult again = Cli(db, {"sync", "--server", server.url(), "--token", token});
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  auto tablet = OpenCustomerStore(db);
  Store& central = server.storage().store();
  CHECK(LogCount(*tablet) == LogCount(central));
  CHECK(CanonicalDump(*tablet) == CanonicalDump(central));
}

TEST_CASE(
    "a store on a read-only disk can be read, refuses writes and syncs clearly, stays whole") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  {
    auto seller = NewTablet(dir.File("seller.db"), "wang", "A");
    AddCustomers(*seller, 50, 0);
    SyncWith(*seller, server.url(), server.Token("wang", "A"));
  }
  TempDir store_dir;
  std::string db = store_dir.File("tablet.db");
  REQUIRE(Cli(db, {"init", "--device", "tab-li", "--agent", "li", "--team", "A"}).exit_code == 0);
  REQUIRE(Cli(db, {"customer", "add", "--name", "赵敏", "--phone", "13600000000"}).exit_code == 0);
  std::string before = Cli(db, {"export", "--format", "json"}).out;
  std::string token = server.Token("li", "A");

  // Reading works as on a writable disk.
  for (const std::vector<std::string>& read : std::vector<std::vector<std::string>>{
           {"customer", "list"}, {"export", "--format", "json"}, {"--json", "status"}, {"log"}}) {
    RunResult normal = Cli(db, read);
    RunResult read_only = CliOnReadOnlyDisk(db, read);
    CHECK_MESSAGE(read_only.exit_code == 0, (read[0] + ": " + read_only.err));
    CHECK(read_only.out == normal.out);
  }
  CheckNamesReadOnlyDisk(
      CliOnReadOnlyDisk(db, {"customer", "add", "--name", "钱进", "--phone", "13600000001"}));
  CheckNamesReadOnlyDisk(
      CliOnReadOnlyDisk(db, {"sync", "--server", server.url(), "--token", token}));
  CHECK(IntegrityCheck(db) == "ok");
  CHECK(Cli(db, {"export", "--format", "json"}).out == before);

  RunResult again = Cli(db, {"sync", "--server", server.url(), "--token", token});
  CHECK_MESSAGE(again.exit_code == 0, again.err);
  CHECK(CanonicalDump(*OpenCustomerStore(db)) == CanonicalDump(server.storage().store()));
}

TEST_CASE("fieldcrm sync killed with SIGKILL at random points converges when run again") {
  const int runs = 8;
  TempDir dir;
  TestServer server(dir.File("server.db"));
  auto seller = NewTablet(dir.File("seller.db"), "wang", "A");
  std::string seller_token = server.Token("wang", "A");
  std::string db = dir.File("tablet.db");
  REQUIRE(Cli(db, {"init", "--device", "tab-li", "--agent", "li", "--team", "A"}).exit_code == 0);
  std::string token = server.Token("li", "A");
  std::mt19937 random(6);
  int killed = 0;
  for (int run = 0; run < runs; ++run) {
    // New work on both sides: the killed sync has something to push and something to pull.
    AddCustomers(*seller, 150, run * 1000);
    SyncWith(*seller, server.url(), seller_token);
    AddCustomers(*OpenCustomerStore(db), 150, run * 1000 + 500);

    pid_t sync = Spawn({FIELDCRM_CLI, "--db", db, "sync", "--server", server.url(), "--token",
                        token, "--batch", "10"},
                       "/dev/null", dir.File("sync.out"), dir.File("sync.err"));
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 400));
    kill(sync, SIGKILL);
    if (WaitExit(sync) == 128 + SIGKILL) ++killed;
    CHECK(IntegrityCheck(db) == "ok");
  }
  RunResult last = Cli(db, {"sync", "--server", server.url(), "--token", token});
  CHECK_MESSAGE(last.exit_code == 0, last.err);
  SyncWith(*seller, server.url(), seller_token);

  auto tablet = OpenCustomerStore(db);
  Store& central = server.storage().store();
  const std::string& device = tablet->device().id;
  int64_t own = LogCount(*tablet, device);
  CHECK(own ==
        StoreDatabase(*tablet).QueryInt("SELECT max(seq) FROM log WHERE device = ?", device));
  CHECK(LogCount(central, device) == own);
  CHECK(LogCount(*tablet) == LogCount(central));
  CHECK(LogCount(*seller) == LogCount(central));
  CHECK(CanonicalDump(*tablet) == CanonicalDump(central));
  CHECK(CanonicalDump(*seller) == CanonicalDump(central));
  CHECK(Customers(*tablet).List({}).size() == 300 * runs);
  std::cout << "CRASH figures: sync runs=" << runs << " killed mid-sync=" << killed
            << " changes checked=" << LogCount(central) << std::endl;
}

}  // namespace
}  // namespace fieldcrm::testing
