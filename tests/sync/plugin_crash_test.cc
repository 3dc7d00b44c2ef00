// Head office's server with third-party tiering plugins that crash, abort, loop forever and
// allocate without bound: each request that meets one gets a 503 naming the plugin, the server
// logs why it was disabled and keeps answering, and the next plugin of the kind takes over.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <map>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/sync/transport.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("misbehaving plugins never take the server down") {
  TempDir dir;
  std::string db = dir.File("server.db");
  RunResult office = Server(db, {"token", "create", "--agent", "总部", "--role", "office"});
  REQUIRE(office.exit_code == 0);
  RunResult agent = Server(db, {"token", "create", "--agent", "王芳", "--team", "滨江一组"});
  REQUIRE(agent.exit_code == 0);
  // Tried in file-name order: each fault disables the active one and the next stands in; the
  // built-in rules (as a third-party copy, so isolated too) come last.
  std::filesystem::create_directory(dir.File("plugins"));
  for (const char* fixture : {"abort", "crash", "loop", "hog"}) {
    std::filesystem::copy_file(std::string(FIXTURE_PLUGIN_DIR) + "/" + fixture + ".so",
                               dir.File(std::string("plugins/") + fixture + ".so"));
  }
  std::filesystem::copy_file(FIELDCRM_BINARY_DIR "/plugins/tiering.so",
                             dir.File("plugins/zz_tiering.so"));
  std::string log = dir.File("server.log");
  ServerProcess server(db, log,
                       {"--insecure-http", "--plugins", dir.File("plugins"), "--plugin-timeout-ms",
                        "1500", "--plugin-cpu-seconds", "1", "--plugin-memory-mb", "256"});
  CHECK(ReadFile(log).find("abort (isolated)") != std::string::npos);
  {
    auto tablet = NewTablet(dir.File("tablet.db"), "王芳", "滨江一组");
    std::string id = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    Activities(*tablet).AddDeal(id, "5-801", 3000000, "signed");
    SyncWith(*tablet, server.url(), Line(agent.out));
  }
  auto api = sync::MakeHttpTransport(server.url(), Line(office.out));

  // In file-name order: the first usable tiering plugin is the active one.
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"abort", "crashed (SIGABRT"},
      {"crash", "crashed (SIGSEGV"},
      {"hog", "exceeded its memory limit of 256 MiB"},
      {"loop", "and was stopped"}};  // the CPU or the time limit, whichever comes first
  for (const auto& fault : faults) {
    const std::string& plugin = fault.first;
    const std::string& reason = fault.second;
    CAPTURE(plugin);
    sync::HttpReply tiers = api->Get("/v1/reports/tiers");
    CHECK(tiers.status == 503);
    std::string body = tiers.body.dump();
    CHECK(body.find("plugin '" + plugin + "'") != std::string::npos);
    CHECK(body.find(reason) != std::string::npos);
    // Still answering, and the other reports are unaffected.
    CHECK(api->Get("/v1/health").status == 200);
    CHECK(api->Get("/v1/reports/customers").status == 200);
    CHECK(ReadFile(log).find("plugin '" + plugin + "' (" + plugin + ".so) disabled") !=
          std::string::npos);
  }
  sync::HttpReply graded = api->Get("/v1/reports/tiers");
  CHECK_MESSAGE(graded.status == 200, graded.body.dump());
  // The devices page lists the server's plugins: each faulty one disabled with its reason, the
  // built-in tiering one active.
  sync::HttpReply devices = api->Get("/v1/reports/devices");
  REQUIRE(devices.status == 200);
  const nlohmann::json* plugins = nullptr;
  for (const auto& table : devices.body["tables"]) {
    if (table["name"] == "plugins") plugins = &table;
  }
  REQUIRE(plugins != nullptr);
  std::map<std::string, nlohmann::json> rows;
  for (const auto& row : (*plugins)["rows"]) rows[row["plugin"]] = row;
  for (const auto& [plugin, reason] : faults) {
    CAPTURE(plugin);
    CHECK(rows[plugin]["state"] == "disabled");
    CHECK(rows[plugin]["flag"] == "disabled");
    CHECK(rows[plugin]["reason"].get<std::string>().find(reason) != std::string::npos);
  }
  CHECK(rows["tiering"]["state"] == "loaded");
  CHECK(rows["tiering"]["role"] == "active");
  CHECK(::kill(server.pid(), 0) == 0);
}

}  // namespace
}  // namespace fieldcrm::testing
