// A tablet's store file for the CLI tests, and the checks they share.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {

struct Tablet {
  TempDir dir;
  std::string db = dir.File("tablet.db");
  Tablet() {
    REQUIRE(
        Cli(db, {"init", "--device", "booth-1", "--agent", "王芳", "--team", "一组"}).exit_code ==
        0);
  }

  std::string Add(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"customer", "add"};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = Cli(db, all);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return Line(r.out);
  }
  nlohmann::json Json(const std::vector<std::string>& args) {
    std::vector<std::string> all = args;
    all.push_back("--json");
    RunResult r = Cli(db, all);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return nlohmann::json::parse(r.out);
  }
  std::string Export() { return Cli(db, {"export", "--format", "json"}).out; }
};

// Customers (a `customer list --json`) by name.
inline std::map<std::string, nlohmann::json> ByName(const nlohmann::json& customers) {
  std::map<std::string, nlohmann::json> out;
  for (const nlohmann::json& c : customers) out[c["name"]] = c;
  return out;
}

// A failure as the README promises: non-zero exit, nothing on stdout, one line on stderr.
inline void CheckFails(const RunResult& r, const std::string& message) {
  CHECK(r.exit_code != 0);
  CHECK(r.out.empty());
  CHECK_MESSAGE(r.err.find(message) != std::string::npos, r.err);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 1);  // one line
}

// Sets TZ for the programs a test starts (they inherit the environment), restored at scope exit.
class TimeZone {
 public:
  explicit TimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", zone, 1);
  }
  ~TimeZone() { old_ ? setenv("TZ", old_->c_str(), 1) : unsetenv("TZ"); }
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

// A sample file of tests/cli/data.
inline std::string SampleFile(const std::string& name) {
  return std::string(FIELDCRM_SOURCE_DIR) + "/tests/cli/data/" + name;
}

}  // namespace fieldcrm::testing
