// Group commit, as LevelDB's writer queue does it: pushes that arrive while one is being
// committed wait in line, and the first of them to reach the front commits the waiting ones
// together, in one transaction with one fsync (the store runs synchronous=FULL), each in a
// savepoint of its own. So N tablets pushing at once cost one durable commit instead of N, and a
// push still returns only once its changes are durable. A push that throws undoes its own
// savepoint alone; a commit that fails fails every push of its group (nothing of theirs was
// stored; tablets retry, and pushes are idempotent).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm::sync {

class GroupCommit {
 public:
  // store_mutex guards the store's writing connection; both outlive this object.
  GroupCommit(Store& store, std::mutex& store_mutex) : store_(store), store_mutex_(store_mutex) {}

  // Runs work on the store inside a transaction it may share with other callers' work, and
  // returns once that transaction committed; rethrows work's exception or the commit's.
  void Run(const std::function<void()>& work);

  // For the metrics: work run so far, the transactions that committed it, and work waiting now.
  struct Counts {
    int64_t works = 0;
    int64_t commits = 0;
    int64_t waiting = 0;
  };
  Counts counts();

 private:
  struct Waiting {
    const std::function<void()>* work;
    std::exception_ptr error;
    bool done = false;
  };
  // At most this many pushes share a transaction (each is a bounded batch of changes).
  static constexpr size_t kMaxGroup = 64;

  void CommitTogether(const std::vector<Waiting*>& group);

  Store& store_;
  std::mutex& store_mutex_;
  std::mutex queue_mutex_;
  std::condition_variable turn_;
  std::deque<Waiting*> queue_;  // front: the group being committed, or the next leader
  Counts counts_;               // under queue_mutex_
};

}  // namespace fieldcrm::sync
