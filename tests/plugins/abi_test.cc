// The C boundary's versioning on real libraries: a plugin written in C against the ABI frozen at
// 2.0 (fixtures/abi_2_0) loads and runs in this newer host, which notices it lacks the newer
// check_config hook and copes; hooks a plugin lacks are never called.
#include <doctest/doctest.h>

#include <filesystem>

#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A tablet whose plugins folder holds only the C plugin built for API 2.0, configured.
struct MinorZeroWorld {
  TempDir folder, store_dir;
  Replica tablet{store_dir, "tablet"};
  std::unique_ptr<PluginHost> host = [this] {
    fs::copy_file(fs::path(FIXTURE_PLUGIN_DIR) / "minor_zero.so", folder.File("minor_zero.so"));
    auto loaded = std::make_unique<PluginHost>(UnsignedFolder(folder.path()));
    loaded->Configure(tablet.store());
    return loaded;
  }();
  LoadedPlugin& plugin = host->RequireKind("tiering");
};

TEST_CASE("a C plugin built for API 2.0 loads, grades and explains in the 2.4 host") {
  MinorZeroWorld world;
  LoadedPlugin& plugin = world.plugin;
  CHECK(plugin.name() == "budget-tiers");
  CHECK(plugin.manifest()["api_version"] == "2.0");

  sdk::CustomerFacts rich, middling, visitor;
  rich.budget_cny = 6000000;
  middling.budget_cny = 3000000;
  visitor.visits = 1;
  std::vector<sdk::TierGrade> grades = GradeFacts(plugin, {rich, middling, visitor, {}}, kAsOf);
  CHECK(std::string{grades[0].tier, grades[1].tier, grades[2].tier, grades[3].tier} == "ABCD");

  json reasons = json::parse(plugin.Explain(rich, kAsOf, 0));
  CHECK(reasons["factors"][0]["name"] == "budget");
  CHECK(reasons["factors"][0]["reason"] == "tier A from 5000000 CNY");

  // It has no review or alerts hook: reviewing and alerting skip it rather than fail.
  world.tablet.Customer("张伟", "13800138000", "2026-01-01");
  CHECK(ReviewCustomers(world.tablet.store(), *world.host, kAsOf).failures.empty());
  CHECK(CollectAlerts(world.tablet.store(), *world.host, kAsOf).failures.empty());
}

TEST_CASE("without check_config (API 2.0) a rejected config leaves the previous one in force") {
  MinorZeroWorld world;
  LoadedPlugin& plugin = world.plugin;
  Store& store = world.tablet.store();
  sdk::CustomerFacts facts;
  facts.budget_cny = 2000000;
  CHECK(GradeFacts(plugin, {facts}, kAsOf)[0].tier == 'D');

  SetPluginConfig(store, plugin, {{"a_budget_cny", 2000000}});
  CHECK(GradeFacts(plugin, {facts}, kAsOf)[0].tier == 'A');

  CHECK_THROWS_WITH_AS(SetPluginConfig(store, plugin, {{"a_budget_cny", 1}}),
                       "plugin 'budget-tiers' rejected its config: a_budget_cny must be at least 2",
                       InvalidInput);
  CHECK(plugin.usable());
  CHECK(GradeFacts(plugin, {facts}, kAsOf)[0].tier == 'A');  // still the stored 2,000,000
  CHECK(StoredPluginConfig(store, "budget-tiers") == json{{"a_budget_cny", 2000000}});
}

TEST_CASE("with check_config (API 2.1) a rejected config never reaches the live plugin") {
  TempDir store_dir;
  Replica tablet(store_dir, "tablet");
  auto host = BuiltinHost(tablet.store());
  LoadedPlugin& tiering = host->Get("tiering");
  CHECK(tiering.manifest()["api_version"] == "2.4");
  sdk::CustomerFacts facts;
  facts.budget_cny = 9000000;
  facts.stage = sdk::kOwner;
  char before = GradeFacts(tiering, {facts}, kAsOf)[0].tier;
  CHECK_THROWS_AS(
      SetPluginConfig(tablet.store(), tiering, {{"thresholds", {{"A", 10}, {"B", 50}, {"C", 30}}}}),
      InvalidInput);
  CHECK(tiering.usable());
  CHECK(GradeFacts(tiering, {facts}, kAsOf)[0].tier == before);
}

}  // namespace
}  // namespace fieldcrm::testing
