#include "fieldcrm/server/server_tables.h"

#include <cctype>
#include <map>

#include "fieldcrm/base/error.h"
#include "fieldcrm/postgres/pg_connection.h"

namespace fieldcrm::sync {

std::string TableRows::Text(size_t row, size_t column) const {
  return rows.at(row).at(column).value_or("");
}

std::optional<std::string> TableRows::OptText(size_t row, size_t column) const {
  return rows.at(row).at(column);
}

int64_t TableRows::Int(size_t row, size_t column) const {
  const auto& value = rows.at(row).at(column);
  return value ? std::stoll(*value) : 0;
}

namespace {

// On SQLite's C API directly (core's Statement binds only typed arguments known at compile time).
class SqliteServerTables : public ServerTables {
 public:
  explicit SqliteServerTables(Database& db) : db_(db) {}
  ~SqliteServerTables() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  }

  void Begin() override { db_.Begin(); }
  void Commit() override { db_.Commit(); }
  void Rollback() override { db_.Rollback(); }

 protected:
  TableRows QueryWith(std::string_view sql, const std::vector<SqlValue>& params) override {
    sqlite3_stmt* stmt = Bound(sql, params);
    TableRows out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      auto& row = out.rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    Finish(stmt, rc);
    return out;
  }
  int64_t RunWith(std::string_view sql, const std::vector<SqlValue>& params) override {
    sqlite3_stmt* stmt = Bound(sql, params);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    Finish(stmt, rc);
    return sqlite3_changes64(db_.handle());
  }

 private:
  sqlite3_stmt* Bound(std::string_view sql, const std::vector<SqlValue>& params) {
    auto [it, fresh] = statements_.try_emplace(std::string(sql), nullptr);
    if (fresh) {
      int rc = sqlite3_prepare_v3(db_.handle(), sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &it->second, nullptr);
      if (rc != SQLITE_OK) {
        statements_.erase(it);
        throw StorageError(std::string("SQLite: ") + sqlite3_errmsg(db_.handle()));
      }
    }
    sqlite3_stmt* stmt = it->second;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (const auto* number = std::get_if<int64_t>(&params[i])) {
        sqlite3_bind_int64(stmt, index, *number);
      } else if (const auto* text = std::get_if<std::string>(&params[i])) {
        sqlite3_bind_text(stmt, index, text->data(), static_cast<int>(text->size()),
                          SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(stmt, index);
      }
    }
    return stmt;
  }
  void Finish(sqlite3_stmt* stmt, int rc) {
    std::string message = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_.handle());
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) throw StorageError("SQLite: " + message);
  }

  Database& db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

// `?` and `?N` placeholders as PostgreSQL's $N, outside quoted text.
std::string DollarPlaceholders(std::string_view sql) {
  std::string out;
  int next = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char ch = sql[i];
    if (quote) {
      if (ch == quote) quote = 0;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
    } else if (ch == '?') {
      size_t digits = i + 1;
      while (digits < sql.size() && std::isdigit(static_cast<unsigned char>(sql[digits]))) {
        ++digits;
      }
      out += '$';
      if (digits > i + 1) {
        out.append(sql.substr(i + 1, digits - i - 1));
        i = digits - 1;
      } else {
        out += std::to_string(++next);
      }
      continue;
    }
    out += ch;
  }
  return out;
}

class PostgresServerTables : public ServerTables {
 public:
  explicit PostgresServerTables(postgres::PgConnection& conn) : conn_(conn) {}

  void Begin() override { conn_.Begin(); }
  void Commit() override { conn_.Commit(); }
  void Rollback() override { conn_.Rollback(); }

 protected:
  TableRows QueryWith(std::string_view sql, const std::vector<SqlValue>& params) override {
    postgres::PgResult result = conn_.Exec(DollarPlaceholders(sql), Texts(params));
    TableRows out;
    for (int r = 0; r < result.rows(); ++r) {
      auto& row = out.rows.emplace_back();
      for (int c = 0; c < result.columns(); ++c) row.push_back(result.OptText(r, c));
    }
    return out;
  }
  int64_t RunWith(std::string_view sql, const std::vector<SqlValue>& params) override {
    return conn_.Exec(DollarPlaceholders(sql), Texts(params)).Affected();
  }

 private:
  static postgres::PgParams Texts(const std::vector<SqlValue>& params) {
    postgres::PgParams texts;
    for (const SqlValue& value : params) {
      if (const auto* number = std::get_if<int64_t>(&value)) {
        texts.emplace_back(std::to_string(*number));
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        texts.emplace_back(*text);
      } else {
        texts.emplace_back(std::nullopt);
      }
    }
    return texts;
  }

  postgres::PgConnection& conn_;
};

}  // namespace

std::unique_ptr<ServerTables> SqliteTables(Database& db) {
  return std::make_unique<SqliteServerTables>(db);
}

std::unique_ptr<ServerTables> PostgresTables(postgres::PgConnection& conn) {
  return std::make_unique<PostgresServerTables>(conn);
}

}  // namespace fieldcrm::sync
