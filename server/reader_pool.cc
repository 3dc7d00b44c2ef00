#include "fieldcrm/server/reader_pool.h"

namespace fieldcrm::sync {

ReaderPool::Lease ReaderPool::Borrow() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Database> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
  }
  return Lease(*this, Database::OpenForReading(path_));
}

ReaderPool::Lease::~Lease() {
  // A lease that ended by an exception may have left its read transaction open: such a
  // connection is closed rather than lent again holding an old snapshot.
  if (db_->InTransaction()) return;
  std::lock_guard lock(pool_.mutex_);
  pool_.idle_.push_back(std::move(db_));
}

}  // namespace fieldcrm::sync
