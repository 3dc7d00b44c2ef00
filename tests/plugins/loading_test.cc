// Loading: the built-in plugins load from disk; every kind of bad file is refused with a message
// naming it and the reason, while the host and the other plugins keep working.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

namespace fs = std::filesystem;

void Copy(const fs::path& from, const fs::path& dir, const std::string& as = "") {
  fs::copy_file(from, dir / (as.empty() ? from.filename().string() : as));
}

fs::path Fixture(const std::string& name) {
  return fs::path(FIXTURE_PLUGIN_DIR) / (name + ".so");
}
fs::path Builtin(const std::string& name) {
  return fs::path(BuiltinPlugins()) / (name + ".so");
}

const PluginState& StateOf(const std::vector<PluginState>& states, const std::string& file) {
  for (const PluginState& s : states) {
    if (fs::path(s.file).filename() == file) return s;
  }
  FAIL("no state for " << file);
  throw std::logic_error("unreachable");
}

TEST_CASE("the built-in plugins load from the build tree with their manifests") {
  PluginHost host(UnsignedFolder(BuiltinPlugins()));
  auto states = host.States();
  REQUIRE(states.size() == 5);
  std::vector<std::string> names;
  for (const PluginState& s : states) {
    CHECK(s.state == "loaded");
    CHECK(s.manifest["api_version"] == "2.4");
    CHECK(s.manifest["config_schema"].is_object());
    CHECK_FALSE(s.manifest["description"].get<std::string>().empty());
    names.push_back(s.name);
  }
  CHECK(names == std::vector<std::string>{"alerts", "referral", "rotation", "surveys", "tiering"});
  CHECK(host.RequireKind("tiering").name() == "tiering");
  CHECK(host.RequireKind("survey").name() == "surveys");
  CHECK(host.Get("referral").manifest()["writes"] == nlohmann::json::array({"reward"}));
}

TEST_CASE("bad files are refused with the plugin and the reason; the rest keeps working") {
  TempDir dir;
  Copy(Builtin("tiering"), dir.path());
  Copy(Builtin("tiering"), dir.path(), "tiering2.so");
  for (const char* bad : {"wrong_version", "no_entry", "bad_manifest", "throws_on_create"}) {
    Copy(Fixture(bad), dir.path());
  }
  std::ofstream(dir.File("notes.so")) << "this is a text file, not a library\n";
  std::ofstream(dir.File("readme.txt")) << "not even named like a plugin\n";

  PluginHost host(UnsignedFolder(dir.path()));
  auto states = host.States();
  CHECK(states.size() == 7);  // readme.txt is not looked at

  const PluginState& version = StateOf(states, "wrong_version.so");
  CHECK(version.state == "refused");
  CHECK(version.reason ==
        "plugin file 'wrong_version.so' refused: built for plugin API 99.0, this fieldcrm "
        "supports 2.0 to 2.4: rebuild it against this SDK");
  CHECK(StateOf(states, "no_entry.so").reason ==
        "plugin file 'no_entry.so' refused: not a fieldcrm plugin: no 'fieldcrm_plugin_info' and "
        "'fieldcrm_plugin_entry' symbols");
  CHECK(StateOf(states, "notes.so")
            .reason.starts_with("plugin file 'notes.so' refused: not a loadable shared library ("));
  CHECK(StateOf(states, "bad_manifest.so")
            .reason.starts_with("plugin file 'bad_manifest.so' refused: bad manifest: "));
  CHECK(StateOf(states, "throws_on_create.so").reason ==
        "plugin 'fragile' (throws_on_create.so) refused: create failed: cannot start: license "
        "file missing");
  const PluginState& copy = StateOf(states, "tiering2.so");
  CHECK(copy.state == "refused");
  CHECK(copy.reason == "another plugin named 'tiering' is already loaded (" +
                           (std::filesystem::path(dir.path()) / "tiering.so").string() + ")");
  CHECK(StateOf(states, "tiering.so").state == "loaded");

  // The good plugin still works next to all of that.
  sdk::CustomerFacts facts;
  facts.budget_cny = 9000000;
  TempDir store_dir;
  Replica replica(store_dir, "tablet");
  host.Configure(replica.store());
  auto grades = GradeFacts(host.RequireKind("tiering"), {facts}, kAsOf);
  CHECK(grades.front().tier >= 'A');
  CHECK_THROWS_WITH_AS(host.Get("fragile"),
                       "plugin 'fragile' (throws_on_create.so) refused: create failed: cannot "
                       "start: license file missing",
                       PluginError);
}

TEST_CASE("a missing plugins folder is simply empty") {
  PluginHost host(UnsignedFolder("/nonexistent/fieldcrm/plugins"));
  CHECK(host.States().empty());
  CHECK_THROWS_WITH_AS(host.RequireKind("tiering"),
                       "no usable tiering plugin in /nonexistent/fieldcrm/plugins", PluginError);
}

TEST_CASE("a plugin that throws is disabled and none of its writes reach the store") {
  TempDir dir, store_dir;
  Copy(Fixture("throwing"), dir.path());
  Copy(Builtin("referral"), dir.path());
  Replica tablet(store_dir, "tablet");
  std::string owner = tablet.Customer("张伟", "13800138000", "2026-01-01");
  std::string friend_ = tablet.Customer("李娜", "13900001111", "2026-02-01");
  tablet.Referral(owner, friend_);
  tablet.Deal(friend_, 3000000, "signed", "2026-03-01");
  int64_t before = tablet.LogSize();

  PluginHost host(UnsignedFolder(dir.path()));
  host.Configure(tablet.store());
  ReviewResult result = ReviewCustomers(tablet.store(), host, kAsOf);
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0] ==
        "plugin 'throwing' (throwing.so) disabled: reviewing customers failed: review exploded");
  CHECK(result.created == 1);  // the referral plugin still granted its reward
  CHECK(tablet.LogSize() > before);
  // Written by the plugin just before it threw: dropped.
  CHECK(
      StoreDatabase(tablet.store()).QueryInt("SELECT count(*) FROM records WHERE kind = 'note'") ==
      0);
  CHECK_THROWS_WITH_AS(host.Get("throwing"),
                       "plugin 'throwing' is disabled: reviewing customers failed: review exploded",
                       PluginError);
  CHECK(StateOf(host.States(), "throwing.so").state == "disabled");
}

TEST_CASE("a plugin that throws while grading is disabled; later calls say why") {
  TempDir dir;
  Copy(Fixture("throwing"), dir.path());
  PluginHost host(UnsignedFolder(dir.path()));
  LoadedPlugin& plugin = host.Get("throwing");
  CHECK_THROWS_WITH_AS(GradeFacts(plugin, {sdk::CustomerFacts{}}, kAsOf),
                       "plugin 'throwing' (throwing.so) disabled: grading customers failed: "
                       "grading exploded",
                       PluginError);
  CHECK_FALSE(plugin.usable());
  CHECK_THROWS_WITH_AS(GradeFacts(plugin, {sdk::CustomerFacts{}}, kAsOf),
                       "plugin 'throwing' (throwing.so) is disabled: grading customers failed: "
                       "grading exploded",
                       PluginError);
}

TEST_CASE("two plugins of one kind: the first by file name is active, the other stands by") {
  TempDir dir;
  Copy(Fixture("minor_zero"), dir.path());  // budget-tiers, kind tiering
  Copy(Builtin("tiering"), dir.path());
  Copy(Builtin("alerts"), dir.path());
  PluginHost host(UnsignedFolder(dir.path()));
  CHECK(host.RequireKind("tiering").name() == "budget-tiers");
  std::vector<PluginState> states = host.States();
  const PluginState& first = StateOf(states, "minor_zero.so");
  CHECK(first.role == "active");
  CHECK(first.role_reason ==
        "the first usable tiering plugin by file name; standing by: 'tiering' (tiering.so)");
  const PluginState& second = StateOf(states, "tiering.so");
  CHECK(second.state == "loaded");
  CHECK(second.role == "standby");
  CHECK(second.role_reason ==
        "'budget-tiers' (minor_zero.so) is the active tiering plugin (the first usable one by "
        "file name)");
  CHECK(StateOf(states, "alerts.so").role_reason == "every alerts plugin runs");

  // If the active one fails, the next one takes over.
  host.Get("budget-tiers").Disable("stopped for the test");
  CHECK(host.RequireKind("tiering").name() == "tiering");
  states = host.States();
  CHECK(StateOf(states, "tiering.so").role_reason == "the only usable tiering plugin");
  CHECK(StateOf(states, "minor_zero.so").role.empty());
}

}  // namespace
}  // namespace fieldcrm::testing
