// with_postgres VAR PROGRAM ARGS...: runs the program with VAR set to the URL of a database in a
// throwaway PostgreSQL cluster (postgres_cluster.h), then stops the cluster; exits as the program
// did. How a test that is not C++ (the browser tests) runs against head office on PostgreSQL.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <iostream>
#include <vector>

#include "tests/support/postgres_cluster.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: with_postgres VAR PROGRAM ARGS...\n";
    return 2;
  }
  try {
    fieldcrm::testing::PostgresCluster cluster;
    cluster.CreateDatabase("fieldcrm");
    setenv(argv[1], cluster.Url("fieldcrm").c_str(), 1);
    pid_t child = fork();
    if (child == 0) {
      execvp(argv[2], argv + 2);
      std::cerr << "with_postgres: cannot run " << argv[2] << '\n';
      _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } catch (const std::exception& e) {
    std::cerr << "with_postgres: " << e.what() << '\n';
    return 1;
  }
}
