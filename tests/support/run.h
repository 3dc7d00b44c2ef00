// Runs a real program (the built fieldcrm binary, a server) and captures what it printed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace fieldcrm::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Starts argv[0] with the arguments (no shell involved) without waiting for it: stdin from
// in_path, stdout and stderr into the other two files. Throws when it cannot start.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& in_path,
            const std::string& out_path, const std::string& err_path);

// Runs argv[0] with the arguments (no shell involved), with stdin from `input`.
RunResult Run(const std::vector<std::string>& argv, const std::string& input = "");

// Runs the fieldcrm CLI against the store at db.
RunResult Cli(const std::string& db, const std::vector<std::string>& args);

// A file's bytes ("" when it cannot be read).
std::string Slurp(const std::string& path);

// The output without its trailing newline.
std::string Line(const std::string& out);

}  // namespace fieldcrm::testing
