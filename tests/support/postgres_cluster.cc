#include "tests/support/postgres_cluster.h"

#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "fieldcrm/postgres/pg_connection.h"
#include "tests/support/run.h"

namespace fieldcrm::testing {
namespace {

// The newest installed PostgreSQL's programs (Debian keeps them per major version).
std::string PostgresBinDir() {
  std::string newest;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ignored)) {
    std::string bin = (entry.path() / "bin").string();
    if (std::filesystem::exists(bin + "/initdb") && bin > newest) newest = bin;
  }
  if (newest.empty()) {
    throw std::runtime_error(
        "no PostgreSQL under /usr/lib/postgresql: bash tools/dev.sh installs it");
  }
  return newest;
}

}  // namespace

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    close(fd);
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

void PostgresCluster::RunAsOwner(const std::vector<std::string>& argv) {
  std::vector<std::string> command;
  if (geteuid() == 0) command = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  command.insert(command.end(), argv.begin(), argv.end());
  RunResult result = Run(command);
  if (result.exit_code != 0) {
    throw std::runtime_error(argv[0] + " failed (" + std::to_string(result.exit_code) +
                             "): " + result.out + result.err + Slurp(File("server.log")));
  }
}

PostgresCluster::PostgresCluster(Durability durability) : bin_(PostgresBinDir()) {
  // Under /tmp whatever $TMPDIR says: the postgres user must reach the folder (a $TMPDIR in
  // root's home it could not).
  std::string pattern = "/tmp/fieldcrm-postgres-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed under /tmp");
  dir_ = pattern;
  if (geteuid() == 0) {
    passwd* owner = getpwnam("postgres");
    if (!owner) throw std::runtime_error("no 'postgres' user: bash tools/dev.sh installs it");
    if (chown(dir_.c_str(), owner->pw_uid, owner->pw_gid) != 0) {
      throw std::runtime_error("cannot give " + dir_.string() + " to postgres");
    }
  }
  RunAsOwner({bin_ + "/initdb", "-D", File("data"), "-U", "fieldcrm", "-A", "trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"});
  for (int attempt = 0;; ++attempt) {
    port_ = FreeLoopbackPort();
    try {
      RunAsOwner(
          {bin_ + "/pg_ctl", "-D", File("data"), "-l", File("server.log"), "-w", "-o",
           "-p " + std::to_string(port_) + " -k " + dir_.string() +
               " -c listen_addresses=127.0.0.1" +
               // Tests: what they kill is fieldcrm's processes, never PostgreSQL or the
               // machine, so they need no fsync.
               (durability == Durability::kDurable ? "" : " -c fsync=off -c full_page_writes=off"),
           "start"});
      running_ = true;
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 2) throw;  // the port was taken in between, twice more: give up
    }
  }
}

PostgresCluster::~PostgresCluster() {
  if (running_) {
    try {
      RunAsOwner({bin_ + "/pg_ctl", "-D", File("data"), "-m", "immediate", "-w", "stop"});
    } catch (const std::runtime_error&) {
      // Best effort: the folder goes anyway.
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresCluster::File(const std::string& name) const {
  return (dir_ / name).string();
}

std::string PostgresCluster::Url(const std::string& database) const {
  return "postgresql://fieldcrm@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PostgresCluster::CreateDatabase(const std::string& name) {
  postgres::PgConnection(Url()).Exec("CREATE DATABASE \"" + name + "\"");
}

}  // namespace fieldcrm::testing
