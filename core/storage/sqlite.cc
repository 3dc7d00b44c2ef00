#include "fieldcrm/storage/sqlite.h"

#include <cstring>
#include <filesystem>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

namespace {

// "database error: ..." and, when the disk refused a write (full, file too large, read-only, I/O
// error), what the operating system said and what to do about it.
StorageError DatabaseError(sqlite3* db, const std::string& message) {
  int code = sqlite3_extended_errcode(db) & 0xff;
  if (code == SQLITE_READONLY) {
    return StorageError(std::string("cannot write to store '") + sqlite3_db_filename(db, "main") +
                        "': the file or its disk is read-only; make it writable (or copy the "
                        "store to a writable disk) and run the command again (reading works)");
  }
  if (code != SQLITE_FULL && code != SQLITE_IOERR && code != SQLITE_CANTOPEN) {
    return StorageError("database error: " + message);
  }
  int os_error = sqlite3_system_errno(db);
  return StorageError(
      "database error: " + message +
      (os_error ? std::string(" (") + std::strerror(os_error) + ")" : "") +
      ": the store file could not be written; nothing already saved is lost: "
      "make its disk writable or free some space on it, then run the command again");
}

// A store SQLite may not write (a read-only file, folder or disk), opened as a reader so that it
// can still be read; the first write then fails naming the read-only store (DatabaseError).
// A WAL store is read through its -shm file, which a read-only folder cannot hold. Without a -wal
// file everything is in the store file itself, and "immutable" reads it without one (nobody can
// write it meanwhile: it is read-only). With one, SQLite needs the -shm beside it.
sqlite3* OpenAsReader(const std::string& path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      auto byte = static_cast<unsigned char>(c);
      uri += {'%', kHex[byte >> 4], kHex[byte & 15]};
    } else {
      uri += c;
    }
  }
  if (!std::filesystem::exists(path + "-wal")) uri += "?immutable=1";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &db,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw StorageError("cannot open store '" + path + "' for reading: " + message);
  }
  return db;
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  Check(sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr));
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::Check(int rc) const {
  if (rc != SQLITE_OK) throw DatabaseError(db_, sqlite3_errmsg(db_));
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (rc == SQLITE_INTERRUPT) {
    sqlite3_reset(stmt_);
    throw Cancelled("stopped: nobody waits for the answer any more");
  }
  StorageError error = DatabaseError(db_, sqlite3_errmsg(db_));
  sqlite3_reset(stmt_);
  throw error;
}

void Statement::Run() {
  while (Step()) {
  }
  sqlite3_reset(stmt_);
}

void Statement::BindOne(int index, int64_t v) {
  Check(sqlite3_bind_int64(stmt_, index, v));
}
void Statement::BindOne(int index, double v) {
  Check(sqlite3_bind_double(stmt_, index, v));
}
void Statement::BindOne(int index, std::string_view v) {
  Check(sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
}
void Statement::BindOne(int index, std::nullptr_t) {
  Check(sqlite3_bind_null(stmt_, index));
}

bool Statement::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
int64_t Statement::Int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
double Statement::Real(int col) const {
  return sqlite3_column_double(stmt_, col);
}
std::string Statement::Text(int col) const {
  return std::string(TextView(col));
}
std::string_view Statement::TextView(int col) const {
  auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return text ? std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
              : std::string_view();
}
std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

Database::Database(const std::string& path, bool create)
    : Database(path, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)) {}

std::unique_ptr<Database> Database::OpenForReading(const std::string& path) {
  return std::unique_ptr<Database>(new Database(path, SQLITE_OPEN_READONLY));
}

Database::Database(const std::string& path, int open_flags)
    : path_(path), read_only_((open_flags & SQLITE_OPEN_READWRITE) == 0) {
  bool create = (open_flags & SQLITE_OPEN_CREATE) != 0;
  int rc = sqlite3_open_v2(path.c_str(), &db_, open_flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    if (rc == SQLITE_CANTOPEN && !create) {
      throw NotFound("cannot open store '" + path + "': no such file (create it with 'init')");
    }
    throw StorageError("cannot open store '" + path + "': " + message);
  }
  if (!read_only_ && sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close(db_);
    db_ = OpenAsReader(path);
    read_only_ = true;
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

Database::~Database() {
  cache_.clear();
  sqlite3_close(db_);
}

void Database::Exec(std::string_view sql) {
  char* error = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw DatabaseError(db_, message);
  }
}

Statement& Database::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  }
  it->second->Reset();
  return *it->second;
}

void Database::Begin() {
  if (depth_ == 0) {
    Exec(read_only_ ? "BEGIN" : "BEGIN IMMEDIATE");
  } else {
    Exec("SAVEPOINT nested_" + std::to_string(depth_));
  }
  ++depth_;
}

void Database::Commit() {
  if (--depth_ > 0) {
    Exec("RELEASE nested_" + std::to_string(depth_));
    return;
  }
  try {
    Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Database::Rollback() {
  for (auto& [sql, stmt] : cache_) stmt->Reset();
  if (--depth_ > 0) {
    // Undo only the inner step: the outer transaction decides for itself.
    std::string savepoint = "nested_" + std::to_string(depth_);
    sqlite3_exec(db_, ("ROLLBACK TO " + savepoint + "; RELEASE " + savepoint).c_str(), nullptr,
                 nullptr, nullptr);
    return;
  }
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

// SQLite calls Ask every kStepsBetweenAsks VM steps: about a millisecond of work, so a stop is
// noticed at once and asking (a poll() on a socket, say) costs next to nothing.
constexpr int kStepsBetweenAsks = 20'000;

InterruptWhen::InterruptWhen(Database& db, std::function<bool()> stop)
    : db_(db), stop_(std::move(stop)) {
  sqlite3_progress_handler(db_.handle(), kStepsBetweenAsks, &InterruptWhen::Ask, this);
}

InterruptWhen::~InterruptWhen() {
  sqlite3_progress_handler(db_.handle(), 0, nullptr, nullptr);
}

int InterruptWhen::Ask(void* self) {
  return static_cast<InterruptWhen*>(self)->stop_() ? 1 : 0;
}

}  // namespace fieldcrm
