// The server's own tables (tokens, devices, push acknowledgements, the audit trail, ...), kept
// either beside the log in the server's SQLite store or in PostgreSQL (docs/postgresql.md). Each
// statement is written once, in the SQL both engines speak: `?` (or `?N`) placeholders,
// INSERT ... ON CONFLICT, no engine-specific functions or types, NULLS FIRST/LAST spelled out
// where order matters; values come back as text or integers, and conditions as 0 or 1 (CASE),
// never as an engine's own boolean.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm::postgres {
class PgConnection;
}

namespace fieldcrm::sync {

using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;

// The rows a query returned.
struct TableRows {
  std::vector<std::vector<std::optional<std::string>>> rows;

  size_t size() const { return rows.size(); }
  bool empty() const { return rows.empty(); }
  std::string Text(size_t row, size_t column) const;  // "" for NULL
  std::optional<std::string> OptText(size_t row, size_t column) const;
  int64_t Int(size_t row, size_t column) const;  // 0 for NULL
};

class ServerTables {
 public:
  virtual ~ServerTables() = default;

  template <typename... Args>
  TableRows Query(std::string_view sql, const Args&... args) {
    return QueryWith(sql, {Value(args)...});
  }
  // Runs a statement; returns the rows it changed.
  template <typename... Args>
  int64_t Run(std::string_view sql, const Args&... args) {
    return RunWith(sql, {Value(args)...});
  }
  // Run with parameters counted at run time (a multi-row INSERT).
  int64_t RunValues(std::string_view sql, const std::vector<SqlValue>& params) {
    return RunWith(sql, params);
  }

  // Transactions nest: inner ones are savepoints. On SQLite they are the store's own (the
  // tables share its connection and commit with its log).
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;

 protected:
  virtual TableRows QueryWith(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  virtual int64_t RunWith(std::string_view sql, const std::vector<SqlValue>& params) = 0;

 private:
  static SqlValue Value(std::nullptr_t) { return nullptr; }
  static SqlValue Value(int64_t v) { return v; }
  static SqlValue Value(int v) { return static_cast<int64_t>(v); }
  static SqlValue Value(const std::string& v) { return v; }
  static SqlValue Value(std::string_view v) { return std::string(v); }
  static SqlValue Value(const char* v) { return std::string(v); }
  template <typename T>
  static SqlValue Value(const std::optional<T>& v) {
    return v ? Value(*v) : SqlValue(nullptr);
  }
};

// Begin now; Rollback at scope exit unless Commit ran.
class TablesTransaction {
 public:
  explicit TablesTransaction(ServerTables& tables) : tables_(tables) { tables_.Begin(); }
  ~TablesTransaction() {
    if (!done_) tables_.Rollback();
  }
  TablesTransaction(const TablesTransaction&) = delete;
  TablesTransaction& operator=(const TablesTransaction&) = delete;
  void Commit() {
    tables_.Commit();
    done_ = true;
  }

 private:
  ServerTables& tables_;
  bool done_ = false;
};

// The tables on a SQLite connection (the server store's, or a reader's), which outlives them.
std::unique_ptr<ServerTables> SqliteTables(Database& db);
// The tables in PostgreSQL, on a connection that outlives them.
std::unique_ptr<ServerTables> PostgresTables(postgres::PgConnection& conn);

}  // namespace fieldcrm::sync
