// What `cmake --install` gives an operator: both programs, the built-in plugins where the
// installed programs look for them, and the SDK. Installs this build into a temporary prefix and
// runs the installed programs from there.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {
namespace {

namespace fs = std::filesystem;

TEST_CASE("an installed prefix holds both programs, the built-in plugins and the SDK") {
  TempDir work;
  fs::path prefix = work.path() / "prefix";
  RunResult installed =
      Run({FIELDCRM_CMAKE, "--install", FIELDCRM_BINARY_DIR, "--prefix", prefix.string()});
  REQUIRE_MESSAGE(installed.exit_code == 0, installed.out << installed.err);

  for (const char* file : {"bin/fieldcrm", "bin/fieldcrm-server", "include/fieldcrm/plugin.h",
                           "lib/cmake/fieldcrm_sdk/fieldcrm_sdkConfig.cmake"}) {
    CHECK_MESSAGE(fs::exists(prefix / file), file);
  }
  for (const char* plugin : {"tiering", "referral", "surveys", "alerts"}) {
    CHECK_MESSAGE(fs::exists(prefix / "lib/fieldcrm/plugins" / (std::string(plugin) + ".so")),
                  plugin);
  }

  for (const char* program : {"fieldcrm", "fieldcrm-server"}) {
    RunResult help = Run({(prefix / "bin" / program).string(), "--help"});
    CHECK_MESSAGE(help.exit_code == 0, program << ": " << help.err);
    CHECK_MESSAGE(help.out.find("Usage") != std::string::npos, program << ": " << help.out);
  }

  // The installed CLI uses the installed plugins, not this build tree's.
  std::string db = work.File("tablet.db");
  std::string cli = (prefix / "bin/fieldcrm").string();
  RunResult init = Run({cli, "--db", db, "init", "--device", "booth-1"});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);
  RunResult listed = Run({cli, "--db", db, "--json", "plugins", "list"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  nlohmann::json plugins = nlohmann::json::parse(listed.out);
  CHECK(fs::weakly_canonical(plugins["folder"].get<std::string>()) ==
        fs::weakly_canonical(prefix / "lib/fieldcrm/plugins"));
  CHECK(plugins["plugins"].size() == 5);  // tiering, referral, surveys, alerts, rotation
}

}  // namespace
}  // namespace fieldcrm::testing
