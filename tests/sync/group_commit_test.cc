// Group commit on a real store file: pushes that queue while one commits are committed together
// in one transaction, each returns only after that commit, and one that fails undoes its own
// writes alone.
#include "fieldcrm/server/group_commit.h"

#include <doctest/doctest.h>

#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fieldcrm/projections/customer_store.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("work queued behind a commit is committed together, a failure undoes its own alone") {
  TempDir dir;
  auto store = CreateCustomerStore(dir.File("server.db"), {"", "server", "", ""});
  std::mutex store_mutex;
  sync::GroupCommit commits(*store, store_mutex);
  auto write = [&store](const std::string& id) {
    store->Write("note", id, {{"text", json("written by " + id)}});
  };

  // The first push holds its commit open until five others have queued behind it.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread first([&] {
    commits.Run([&] {
      write("first");
      released.wait();
    });
  });
  while (commits.counts().waiting < 1) std::this_thread::yield();
  std::vector<std::thread> others;
  for (int i = 0; i < 5; ++i) {
    others.emplace_back([&, i] {
      if (i == 2) {
        // Fails after writing: its note must not survive, the others' must.
        CHECK_THROWS_WITH(commits.Run([&] {
          write("failed");
          throw std::runtime_error("refused");
        }),
                          "refused");
      } else {
        commits.Run([&, i] { write("later-" + std::to_string(i)); });
      }
    });
  }
  while (commits.counts().waiting < 6) std::this_thread::yield();
  CHECK_FALSE(store->FindRecord("later-0"));  // nothing of the queued pushes yet
  release.set_value();
  first.join();
  for (std::thread& t : others) t.join();

  sync::GroupCommit::Counts counts = commits.counts();
  CHECK(counts.works == 6);
  CHECK(counts.commits == 2);  // the first alone, then the five that queued behind it together
  CHECK(counts.waiting == 0);
  CHECK(store->FindRecord("first"));
  for (const char* id : {"later-0", "later-1", "later-3", "later-4"}) CHECK(store->FindRecord(id));
  CHECK_FALSE(store->FindRecord("failed"));
}

}  // namespace
}  // namespace fieldcrm::testing
