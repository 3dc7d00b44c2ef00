#include "process.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "report.h"

extern char** environ;

namespace fieldcrm::bench {

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  // GNU time forks the program from its own small process and reports the program's peak RSS.
  // wait4() here would not do: a child spawned from this large process starts out counting the
  // parent's memory as its own.
  char rss_path[] = "/tmp/fieldcrm-bench-rss-XXXXXX";
  int rss_fd = mkstemp(rss_path);
  if (rss_fd < 0) throw std::runtime_error("cannot create a temporary file for /usr/bin/time");
  close(rss_fd);
  std::vector<std::string> command = {"/usr/bin/time", "-f", "%M", "-o", rss_path};
  command.insert(command.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (const std::string& arg : command) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  FILE* capture = std::tmpfile();
  if (!capture) throw std::runtime_error("cannot create a temporary file for child output");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fileno(capture), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fileno(capture), STDERR_FILENO);
  ProcessResult result;
  double start = Now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::fclose(capture);
    throw std::runtime_error("cannot start " + argv[0]);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.seconds = Now() - start;
  std::ifstream rss(rss_path);
  double rss_kib = 0;
  rss >> rss_kib;
  result.peak_rss_mb = rss_kib / 1024;
  std::remove(rss_path);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::rewind(capture);
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, capture)) > 0;) {
    result.output.append(buffer, n);
  }
  std::fclose(capture);
  if (result.exit_code != 0) {
    std::string command;
    for (const std::string& arg : argv) command += arg + " ";
    throw std::runtime_error(command + "exited with " + std::to_string(result.exit_code) + ": " +
                             result.output);
  }
  return result;
}

}  // namespace fieldcrm::bench
