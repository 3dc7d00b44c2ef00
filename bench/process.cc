#include "bench/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "bench/report.h"

extern char** environ;

namespace fieldcrm::bench {

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
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
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  result.seconds = Now() - start;
  result.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024;  // ru_maxrss is in KiB
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
