// Connections that only read a store file (Database::OpenForReading), lent one per request, so
// that requests which only read (pulls) run side by side and beside the writer: in WAL mode each
// reads its own snapshot, never waiting for a write nor holding one up. A connection is opened
// on first need and kept for the next request; the pool holds as many as were ever in use at
// once (at most the server's worker threads).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm::sync {

class ReaderPool {
 public:
  explicit ReaderPool(std::string path) : path_(std::move(path)) {}

  // A connection for the lease's lifetime; back to the pool when it ends.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Database& db() { return *db_; }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Database> db_;
  };
  Lease Borrow();

 private:
  const std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace fieldcrm::sync
