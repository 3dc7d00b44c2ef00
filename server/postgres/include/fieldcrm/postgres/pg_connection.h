// One connection to PostgreSQL through libpq, for head office's store past one machine
// (docs/postgresql.md). Statements take their parameters separately from the SQL ($1, $2, ...,
// sent as text: never spliced into it), and every failure is a StorageError naming what failed
// and PostgreSQL's own message. A connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace fieldcrm::postgres {

// A statement's parameters, as text; nullopt is SQL NULL.
using PgParams = std::vector<std::optional<std::string>>;

// The rows a statement returned (none for a statement that returns none).
class PgResult {
 public:
  explicit PgResult(pg_result* result);
  ~PgResult();
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  int columns() const;
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;  // "" for NULL
  std::optional<std::string> OptText(int row, int column) const;
  int64_t Int(int row, int column) const;  // 0 for NULL
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t Affected() const;

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // Connects to a libpq connection string or URI (postgresql://user@host:port/db). Throws
  // StorageError naming the server it could not reach, without the password.
  explicit PgConnection(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs a statement with its parameters (several statements when there are none); throws
  // StorageError with PostgreSQL's message.
  PgResult Exec(const std::string& sql, const PgParams& params = {});

  // Transactions nest: the outermost is BEGIN ... COMMIT, inner ones are savepoints, so an inner
  // failure undoes only its own writes (PgTransaction is the usual way in).
  void Begin();
  void Commit();
  void Rollback();

  // For LISTEN: the socket to wait on (poll for input), and how many notifications arrived
  // since the last call (reading what the socket holds). Throws StorageError once the
  // connection is lost.
  int Socket() const;
  int TakeNotifications();

 private:
  pg_conn* conn_;
  int depth_ = 0;
  std::string where_;  // host:port/db, for messages
};

// A transaction on a connection (a savepoint inside another): begun now, rolled back at scope
// exit unless Commit() ran.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& conn);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void Commit();

 private:
  PgConnection& conn_;
  bool done_ = false;
};

// True for what names a PostgreSQL database rather than a file: a postgresql:// or postgres://
// URI.
bool IsPostgresUrl(const std::string& text);

}  // namespace fieldcrm::postgres
