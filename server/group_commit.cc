#include "fieldcrm/server/group_commit.h"

#include <algorithm>
#include <vector>

namespace fieldcrm::sync {

void GroupCommit::Run(const std::function<void()>& work) {
  Waiting mine{&work, nullptr, false};
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&mine);
  turn_.wait(lock, [&] { return mine.done || queue_.front() == &mine; });
  if (!mine.done) {
    // This push leads: it commits itself and those waiting behind it. Pushes arriving meanwhile
    // queue up behind the group for the next commit.
    std::vector<Waiting*> group(
        queue_.begin(),
        queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxGroup)));
    lock.unlock();
    CommitTogether(group);
    lock.lock();
    for (Waiting* waiting : group) {
      waiting->done = true;
      queue_.pop_front();  // the group is the queue's front: only this leader pops
    }
    counts_.works += static_cast<int64_t>(group.size());
    counts_.commits += 1;
    turn_.notify_all();
  }
  if (mine.error) std::rethrow_exception(mine.error);
}

void GroupCommit::CommitTogether(const std::vector<Waiting*>& group) {
  std::lock_guard store_lock(store_mutex_);
  try {
    Transaction together = store_.Transact();
    for (Waiting* waiting : group) {
      try {
        Transaction own = store_.Transact();  // a savepoint: a failure undoes this work alone
        (*waiting->work)();
        own.Commit();
      } catch (...) {
        waiting->error = std::current_exception();
      }
    }
    together.Commit();
  } catch (...) {
    for (Waiting* waiting : group) {
      if (!waiting->error) waiting->error = std::current_exception();
    }
  }
}

GroupCommit::Counts GroupCommit::counts() {
  std::lock_guard lock(queue_mutex_);
  Counts now = counts_;
  now.waiting = static_cast<int64_t>(queue_.size());
  return now;
}

}  // namespace fieldcrm::sync
