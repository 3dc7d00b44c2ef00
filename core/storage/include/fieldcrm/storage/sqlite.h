// A thin RAII layer over the SQLite C API: a connection, cached prepared statements and
// (nestable) transactions. Every error becomes a StorageError carrying SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fieldcrm {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameters 1..N in order and resets the statement for a fresh run.
  template <typename... Args>
  Statement& Bind(const Args&... args) {
    Reset();
    int index = 0;
    (BindOne(++index, args), ...);
    return *this;
  }
  // Advances to the next row; false when done.
  bool Step();
  // Runs to completion, ignoring rows.
  void Run();
  void Reset();

  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  // The column's text without a copy: valid until the next Step, Reset or Bind.
  std::string_view TextView(int col) const;
  std::optional<std::string> OptText(int col) const;

 private:
  void BindOne(int index, int64_t v);
  void BindOne(int index, int v) { BindOne(index, static_cast<int64_t>(v)); }
  void BindOne(int index, uint64_t v) { BindOne(index, static_cast<int64_t>(v)); }
  void BindOne(int index, double v);
  void BindOne(int index, std::string_view v);
  void BindOne(int index, const std::string& v) { BindOne(index, std::string_view(v)); }
  void BindOne(int index, const char* v) { BindOne(index, std::string_view(v)); }
  template <typename T>
  void BindOne(int index, const std::optional<T>& v) {
    if (v) {
      BindOne(index, *v);
    } else {
      BindOne(index, nullptr);
    }
  }
  void BindOne(int index, std::nullptr_t);
  void Check(int rc) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if asked) the file at path.
  Database(const std::string& path, bool create);
  // A connection that only reads, beside the writer (the store is in WAL mode): its transactions
  // are read snapshots that never wait for, nor hold up, writes.
  static std::unique_ptr<Database> OpenForReading(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Exec(std::string_view sql);
  // A statement prepared once per connection and reused; valid while the Database lives.
  Statement& Prepare(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }

  // The first column of the first row of a query, or nullopt when there is no row or it is NULL.
  template <typename... Args>
  std::optional<std::string> QueryText(const std::string& sql, const Args&... args) {
    Statement& stmt = Prepare(sql);
    stmt.Bind(args...);
    std::optional<std::string> value;
    if (stmt.Step()) value = stmt.OptText(0);
    stmt.Reset();
    return value;
  }
  template <typename... Args>
  std::optional<int64_t> QueryInt(const std::string& sql, const Args&... args) {
    Statement& stmt = Prepare(sql);
    stmt.Bind(args...);
    std::optional<int64_t> value;
    if (stmt.Step() && !stmt.IsNull(0)) value = stmt.Int(0);
    stmt.Reset();
    return value;
  }
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  // Transactions nest: the outermost is BEGIN IMMEDIATE (a plain BEGIN, a snapshot, when only
  // reading), inner ones are savepoints, so an inner failure undoes only its own writes.
  void Begin();
  void Commit();
  void Rollback();
  bool InTransaction() const { return depth_ > 0; }

 private:
  Database(const std::string& path, int open_flags);

  std::string path_;
  sqlite3* db_ = nullptr;
  bool read_only_ = false;
  int depth_ = 0;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// While it lives, a statement running on db stops, throwing Cancelled, as soon as `stop` returns
// true; SQLite asks every few thousand steps of its virtual machine. How a server abandons a long
// read whose client has gone. One at a time per connection.
class InterruptWhen {
 public:
  InterruptWhen(Database& db, std::function<bool()> stop);
  ~InterruptWhen();
  InterruptWhen(const InterruptWhen&) = delete;
  InterruptWhen& operator=(const InterruptWhen&) = delete;

 private:
  static int Ask(void* self);
  Database& db_;
  std::function<bool()> stop_;
};

// Commits on Commit(), rolls back if destroyed without it (an exception or early return).
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { db_.Begin(); }
  ~Transaction() {
    if (!done_) db_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit() {
    db_.Commit();
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace fieldcrm
