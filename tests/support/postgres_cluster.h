// A throwaway PostgreSQL cluster for one test: initdb into a temporary folder under /tmp, started
// on a port of its own on 127.0.0.1 (its unix socket in that folder), stopped and deleted at scope
// exit. PostgreSQL refuses to run as root, so under root (CI) it runs as the `postgres` system user
// that Debian's postgresql package creates (tools/packages.txt). Tests run it without fsync; the
// benchmarks durable, as a deployment would.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace fieldcrm::testing {

// A TCP port nobody listens on now on 127.0.0.1 (bound and released: take it right away).
int FreeLoopbackPort();

class PostgresCluster {
 public:
  // kDurable: fsync and full-page writes on (PostgreSQL's defaults).
  enum class Durability { kNoFsync, kDurable };
  // Throws std::runtime_error with initdb's or the server's log when it cannot start one.
  explicit PostgresCluster(Durability durability = Durability::kNoFsync);
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A libpq URI for the database (created by CreateDatabase; "postgres" always exists).
  std::string Url(const std::string& database = "postgres") const;
  void CreateDatabase(const std::string& name);
  int port() const { return port_; }

 private:
  // Runs a PostgreSQL program as the cluster's owner; throws with its output on failure.
  void RunAsOwner(const std::vector<std::string>& argv);

  std::string File(const std::string& name) const;  // in the cluster's folder

  std::filesystem::path dir_;
  std::string bin_;  // the folder of initdb and pg_ctl
  int port_ = 0;
  bool running_ = false;
};

}  // namespace fieldcrm::testing
