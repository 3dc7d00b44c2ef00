// The SDK as a third party uses it: `cmake --install` it into a temporary prefix, build
// sdk/examples/hot-lead outside this tree with find_package(fieldcrm_sdk) and nothing else, then
// load the built library through the real host and run it on a real store.
#include <doctest/doctest.h>

#include <filesystem>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "fieldcrm/projections/customer_store.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {
namespace {

namespace fs = std::filesystem;

void MustRun(const std::vector<std::string>& argv) {
  RunResult result = Run(argv);
  INFO(argv[1] << ' ' << argv[2] << "\n" << result.out << result.err);
  REQUIRE(result.exit_code == 0);
}

TEST_CASE("a plugin built against the installed SDK loads and runs in the host") {
  TempDir work;
  fs::path prefix = work.path() / "prefix";
  MustRun({FIELDCRM_CMAKE, "--install", FIELDCRM_BINARY_DIR, "--prefix", prefix.string(),
           "--component", "sdk"});
  CHECK(fs::exists(prefix / "include/fieldcrm/plugin.h"));
  CHECK(fs::exists(prefix / "include/fieldcrm/testing.h"));

  // A copy of the example, so that nothing can reach back into this source tree.
  fs::path source = work.path() / "hot-lead";
  fs::copy(FIELDCRM_SOURCE_DIR "/sdk/examples/hot-lead", source);
  fs::path build = work.path() / "build";
  MustRun({FIELDCRM_CMAKE, "-S", source.string(), "-B", build.string(),
           "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_BUILD_TYPE="});  // -O0: fast
  MustRun({FIELDCRM_CMAKE, "--build", build.string(), "--target", "hot_lead", "-j2"});

  fs::path plugins = work.path() / "plugins";
  fs::create_directory(plugins);
  fs::copy_file(build / "hot_lead.so", plugins / "hot_lead.so");
  PluginHost host(PluginSources{plugins, /*allow_unsigned=*/true, {}, {}});
  auto states = host.States();
  REQUIRE(states.size() == 1);
  CHECK(states[0].state == "loaded");
  CHECK(states[0].name == "hot-lead");

  auto store = CreateCustomerStore(work.File("tablet.db"), {"", "tablet", "王芳", "滨江一组"});
  host.Configure(*store);
  std::string id = Customers(*store).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  for (const char* at : {"2026-06-05T10:00Z", "2026-06-10T10:00Z", "2026-06-14T10:00Z"}) {
    InteractionInput visit;
    visit.at_ms = ParseTime(at, "at");
    Activities(*store).AddInteraction(id, visit);
  }
  AlertsResult result = CollectAlerts(*store, host, ParseTime("2026-06-15T12:00Z", "as-of"));
  CHECK(result.failures.empty());
  REQUIRE(result.alerts.size() == 1);
  CHECK(result.alerts[0].plugin == "hot-lead");
  CHECK(result.alerts[0].customer == id);
  CHECK(result.alerts[0].message == "3 visits in 14 days and no reservation yet: call today");
}

}  // namespace
}  // namespace fieldcrm::testing
