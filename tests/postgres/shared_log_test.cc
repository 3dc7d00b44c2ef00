// The shared log on a real PostgreSQL cluster: processes (here threads with a connection and a
// replica each, as processes would have) append concurrently while others follow with a cursor;
// no cursor ever skips or repeats an entry, and every replica, old or new, holds the same log at
// the same positions and the same merged state.
#include "fieldcrm/postgres/shared_log.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/postgres_cluster.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"

using namespace fieldcrm;
using namespace fieldcrm::postgres;
using fieldcrm::testing::PostgresCluster;
using fieldcrm::testing::TempDir;

namespace {

std::unique_ptr<Store> NewReplica(const TempDir& dir, const std::string& name) {
  return Store::Create(dir.File(name + ".db"), {.name = name}, ReplicaStoreHooks());
}

// A tablet's changes since its last push.
std::vector<Change> Unsent(Store& tablet, int64_t& pushed_to) {
  std::vector<Change> changes;
  for (auto& entry : tablet.ReadLog(pushed_to, 1 << 20, /*own_only=*/true)) {
    pushed_to = entry.pos;
    changes.push_back(std::move(entry.change));
  }
  return changes;
}

// What a push does on a replica: the merge of the tablet's changes and of the customers they
// made duplicates.
void ApplyPush(Store& replica, const std::vector<Change>& changes) {
  ApplyStats stats = replica.ApplyRemote(changes);
  MergeCustomersSharingPhone(replica, stats.identity_changed);
}

std::string Dump(Store& store) {
  return fieldcrm::testing::StateDump(StoreDatabase(store));
}

// One cluster for the whole file (starting one takes seconds); each test case has a database.
std::string NewDatabase() {
  static PostgresCluster cluster;
  static int databases = 0;
  std::string name = "test" + std::to_string(++databases);
  cluster.CreateDatabase(name);
  return cluster.Url(name);
}

// Runs body, keeping what it threw for the test to report (an exception leaving a thread would
// end the whole test program).
void Guarded(std::vector<std::string>& errors, std::mutex& mutex,
             const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex);
    errors.push_back(e.what());
  }
}

}  // namespace

TEST_CASE("concurrent appenders and followers: no entry skipped or repeated, replicas equal") {
  std::string url = NewDatabase();
  TempDir dir;
  {
    PgConnection conn(url);
    SharedLog::Migrate(conn);
    SharedLog::Migrate(conn);  // a second process starting: nothing to do
  }
  constexpr int kWriters = 4, kPushes = 25, kFollowers = 2;
  std::atomic<int> writers_left = kWriters;
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  std::vector<std::unique_ptr<Store>> replicas(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Guarded(errors, errors_mutex, [&, w] {
        PgConnection conn(url);
        replicas[w] = NewReplica(dir, "server" + std::to_string(w));
        SharedLog log(conn, *replicas[w]);
        auto tablet = CreateCustomerStore(dir.File("tablet" + std::to_string(w) + ".db"),
                                          {.name = "t" + std::to_string(w), .team = "滨江一组"});
        std::mt19937 rng(static_cast<unsigned>(w));
        int64_t pushed_to = 0;
        for (int push = 0; push < kPushes; ++push) {
          Customers customers(*tablet);
          for (int i = 0; i < 4; ++i) {
            // Every writer registers phone ...00<i> once: the servers merge the duplicates.
            std::string phone = push == 0
                                    ? "1390000000" + std::to_string(i)
                                    : "138" + std::to_string(10000000 + w * 1000 + push * 10 + i);
            customers.Add({{"name", "客户" + std::to_string(w) + "-" + std::to_string(push)},
                           {"phone", phone},
                           {"team", "滨江一组"}});
          }
          std::vector<Change> changes = Unsent(*tablet, pushed_to);
          log.Append([&] {
            ApplyPush(*replicas[w], changes);
            // Hold the transaction open a moment: commits of different writers interleave.
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
          });
        }
      });
      --writers_left;
    });
  }
  std::vector<std::vector<std::pair<std::string, int64_t>>> seen(kFollowers);
  for (int f = 0; f < kFollowers; ++f) {
    threads.emplace_back([&, f] {
      Guarded(errors, errors_mutex, [&, f] {
        PgConnection conn(url);
        auto unused = NewReplica(dir, "cursor" + std::to_string(f));
        SharedLog log(conn, *unused);
        int64_t cursor = 0;
        for (;;) {
          bool done = writers_left == 0;  // read before the page: a last page after it
          std::vector<Store::LoggedChange> page = log.ReadAfter(cursor, 37);
          for (const auto& entry : page) {
            CHECK(entry.pos == cursor + 1);
            cursor = entry.pos;
            seen[f].emplace_back(entry.change.device, entry.change.seq);
          }
          if (page.empty() && done && cursor == log.Head()) break;
        }
      });
    });
  }
  for (auto& t : threads) t.join();
  CHECK(errors.empty());
  for (const std::string& error : errors) MESSAGE(error);

  PgConnection conn(url);
  auto all = conn.Exec("SELECT device, seq FROM fieldcrm_log ORDER BY pos");
  std::vector<std::pair<std::string, int64_t>> in_database;
  for (int r = 0; r < all.rows(); ++r) in_database.emplace_back(all.Text(r, 0), all.Int(r, 1));
  // Every tablet change plus the servers' merge links.
  CHECK(in_database.size() > static_cast<size_t>(kWriters * kPushes * 4 * 3));
  for (int f = 0; f < kFollowers; ++f) {
    CAPTURE(f);
    CHECK(seen[f] == in_database);  // in order, none skipped, none twice
  }
  std::set<std::pair<std::string, int64_t>> distinct(in_database.begin(), in_database.end());
  CHECK(distinct.size() == in_database.size());

  // A process that starts now builds its replica from the database alone; every replica ends
  // with the same log at the same positions and the same state.
  auto fresh = NewReplica(dir, "fresh");
  SharedLog fresh_log(conn, *fresh);
  CHECK(fresh_log.CatchUp() == static_cast<int64_t>(in_database.size()));
  std::string expected = Dump(*fresh);
  for (int w = 0; w < kWriters; ++w) {
    CAPTURE(w);
    SharedLog(conn, *replicas[w]).CatchUp();
    CHECK(replicas[w]->LogHead() == static_cast<int64_t>(in_database.size()));
    CHECK(Dump(*replicas[w]) == expected);
    auto own = replicas[w]->ReadLog(0, 1 << 20);
    for (size_t i = 0; i < own.size(); ++i) {
      CHECK(own[i].pos == static_cast<int64_t>(i) + 1);
      CHECK(std::make_pair(own[i].change.device, own[i].change.seq) == in_database[i]);
    }
  }
  // The four phones every writer registered are one customer each now.
  auto merged = conn.Exec("SELECT COUNT(*) FROM fieldcrm_log WHERE field = '_merged_into'");
  CHECK(merged.Int(0, 0) >= 4 * (kWriters - 1));
}

TEST_CASE("an append whose work fails leaves neither the database nor the replica changed") {
  TempDir dir;
  PgConnection conn(NewDatabase());
  SharedLog::Migrate(conn);
  auto replica = NewReplica(dir, "server");
  SharedLog log(conn, *replica);
  auto tablet = CreateCustomerStore(dir.File("tablet.db"), {.name = "t", .team = "滨江一组"});
  Customers(*tablet).Add({{"name", "王芳"}, {"phone", "13800000001"}});
  int64_t pushed_to = 0;
  std::vector<Change> first = Unsent(*tablet, pushed_to);
  log.Append([&] { ApplyPush(*replica, first); });
  int64_t head = log.Head();
  CHECK(head == static_cast<int64_t>(first.size()));
  std::string before = Dump(*replica);

  Customers(*tablet).Add({{"name", "李雷"}, {"phone", "13800000002"}});
  std::vector<Change> second = Unsent(*tablet, pushed_to);
  CHECK_THROWS_AS(log.Append([&] {
    ApplyPush(*replica, second);
    throw StorageError("disk full");
  }),
                  StorageError);
  CHECK(log.Head() == head);
  CHECK(replica->LogHead() == head);
  CHECK(Dump(*replica) == before);

  // The same push again goes through whole.
  log.Append([&] { ApplyPush(*replica, second); });
  CHECK(log.Head() == head + static_cast<int64_t>(second.size()));
}

TEST_CASE("a replica behind the database catches up to the same state") {
  TempDir dir;
  PgConnection conn(NewDatabase());
  SharedLog::Migrate(conn);
  auto replica = NewReplica(dir, "server");
  auto other = NewReplica(dir, "other");
  auto tablet = CreateCustomerStore(dir.File("tablet.db"), {.name = "t", .team = "滨江一组"});
  Customers(*tablet).Add({{"name", "王芳"}, {"phone", "13800000001"}});
  int64_t pushed_to = 0;
  std::vector<Change> changes = Unsent(*tablet, pushed_to);
  // Another process took the push: this one gets it at its next catch-up (as it would the
  // entries its own failed replica commit lost, Append's contract).
  SharedLog(conn, *other).Append([&] { ApplyPush(*other, changes); });
  CHECK(SharedLog(conn, *replica).CatchUp() == static_cast<int64_t>(changes.size()));
  CHECK(Dump(*replica) == Dump(*other));
}

TEST_CASE("a database written by a newer fieldcrm-server is refused") {
  PgConnection conn(NewDatabase());
  SharedLog::Migrate(conn);
  conn.Exec("UPDATE fieldcrm_meta SET value = '99' WHERE key = 'schema'");
  CHECK_THROWS_WITH_AS(SharedLog::Migrate(conn), doctest::Contains("newer fieldcrm-server"),
                       StorageError);
  CHECK_THROWS_WITH_AS(PgConnection("postgresql://fieldcrm@127.0.0.1:1/none"),
                       doctest::Contains("cannot connect to PostgreSQL at 127.0.0.1:1/none"),
                       StorageError);
}
