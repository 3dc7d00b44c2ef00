// Runs a program as a child process and measures what a user would: wall time, exit status and
// the child's peak resident memory.
#pragma once

#include <string>
#include <vector>

namespace fieldcrm::bench {

struct ProcessResult {
  int exit_code = -1;
  double seconds = 0;
  double peak_rss_mb = 0;
  std::string output;  // stdout and stderr together
};

// Throws std::runtime_error when the program exits non-zero, with its output.
ProcessResult RunProcess(const std::vector<std::string>& argv);

}  // namespace fieldcrm::bench
