#include "fieldcrm/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <utility>

#include "fieldcrm/base/error.h"

namespace fieldcrm::postgres {

PgResult::PgResult(pg_result* result) : result_(result) {}

PgResult::~PgResult() {
  if (result_) PQclear(result_);
}

PgResult::PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

int PgResult::rows() const {
  return PQntuples(result_);
}

int PgResult::columns() const {
  return PQnfields(result_);
}

bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

std::optional<std::string> PgResult::OptText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
}

int64_t PgResult::Int(int row, int column) const {
  return IsNull(row, column) ? 0 : std::stoll(Text(row, column));
}

int64_t PgResult::Affected() const {
  const char* count = PQcmdTuples(result_);
  return *count ? std::stoll(count) : 0;
}

PgConnection::PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (!conn_) throw StorageError("PostgreSQL: out of memory connecting");
  where_ = std::string(PQhost(conn_) ? PQhost(conn_) : "?") + ":" +
           (PQport(conn_) ? PQport(conn_) : "?") + "/" + (PQdb(conn_) ? PQdb(conn_) : "?");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    PQfinish(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw StorageError("cannot connect to PostgreSQL at " + where_ + ": " + message);
  }
  // Times and text cross the wire as UTF-8 whatever the server's default.
  Exec("SET client_encoding = 'UTF8'");
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

PgResult PgConnection::Exec(const std::string& sql, const PgParams& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Without parameters, the simple protocol: a migration's several statements in one go.
  PGresult* raw = params.empty() ? PQexec(conn_, sql.c_str())
                                 : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                                nullptr, values.data(), nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(raw);  // a fatal error for no result at all
  PgResult result(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw StorageError("PostgreSQL at " + where_ + ": " + message);
  }
  return result;
}

void PgConnection::Begin() {
  Exec(depth_ == 0 ? "BEGIN" : "SAVEPOINT nested_" + std::to_string(depth_));
  ++depth_;
}

void PgConnection::Commit() {
  std::string savepoint = "nested_" + std::to_string(depth_ - 1);
  Exec(depth_ == 1 ? "COMMIT" : "RELEASE " + savepoint);
  --depth_;
}

void PgConnection::Rollback() {
  --depth_;
  std::string savepoint = "nested_" + std::to_string(depth_);
  Exec(depth_ == 0 ? "ROLLBACK" : "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint);
}

int PgConnection::Socket() const {
  return PQsocket(conn_);
}

int PgConnection::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw StorageError("lost the connection to PostgreSQL at " + where_ + ": " + message);
  }
  int count = 0;
  while (PGnotify* notification = PQnotifies(conn_)) {
    PQfreemem(notification);
    ++count;
  }
  return count;
}

PgTransaction::PgTransaction(PgConnection& conn) : conn_(conn) {
  conn_.Begin();
}

PgTransaction::~PgTransaction() {
  if (done_) return;
  try {
    conn_.Rollback();
  } catch (const Error&) {
    // The connection is gone: PostgreSQL rolls the transaction back itself.
  }
}

void PgTransaction::Commit() {
  conn_.Commit();
  done_ = true;
}

bool IsPostgresUrl(const std::string& text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

}  // namespace fieldcrm::postgres
