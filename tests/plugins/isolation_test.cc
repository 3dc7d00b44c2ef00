// Plugins that crash, abort, loop forever or allocate without bound, run by the real fieldcrm
// program on a real store file: isolated, each costs only its own plugin-host process, and the
// command fails with a message naming the plugin; post-write reviews never double a write.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/plugin_host/isolated_plugin.h"
#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_store.h"
#include "tests/plugins/plugin_world.h"
#include "tests/support/run.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

const std::string kAt = "--as-of=2026-06-15T12:00Z";

// A tablet store with one customer and a plugins folder holding only the misbehaving fixture.
struct Tablet {
  TempDir dir;
  std::string db = dir.File("tablet.db");
  std::string plugins = "--plugins=" + dir.File("plugins");
  std::string customer;

  explicit Tablet(const std::string& fixture) {
    std::filesystem::create_directory(dir.File("plugins"));
    std::filesystem::copy_file(std::string(FIXTURE_PLUGIN_DIR) + "/" + fixture + ".so",
                               dir.File("plugins/" + fixture + ".so"));
    Cli(db, {"init", "--device", "booth", "--agent", "王芳", "--team", "滨江一组"});
    customer = Line(Cli(db, {"customer", "add", "--name", "张伟", "--phone", "13800138000"}).out);
  }

  RunResult Isolated(std::vector<std::string> args) const {
    args.insert(args.begin(), {plugins, kAt, "--plugin-isolation=all", "--plugin-timeout-ms=1500",
                               "--plugin-cpu-seconds=1", "--plugin-memory-mb=256"});
    return Cli(db, args);
  }

  size_t Deals() const {
    std::unique_ptr<Store> store = OpenCustomerStore(db, Env::Default());
    return Activities(*store).Of(customer, "deal").size();
  }
};

TEST_CASE("a misbehaving plugin is stopped, disabled with the reason, and named by the command") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"crash", "crashed (SIGSEGV"},
      {"abort", "crashed (SIGABRT"},
      {"loop", "and was stopped"},  // the CPU or the time limit, whichever comes first
      {"hog", "exceeded its memory limit of 256 MiB"}};
  for (const auto& fault : cases) {
    const std::string& fixture = fault.first;
    const std::string& reason = fault.second;
    CAPTURE(fixture);
    Tablet t(fixture);
    RunResult before = t.Isolated({"customer", "list", "--tier", "C"});
    CHECK(before.exit_code == 0);  // it works until it meets a signed deal

    // The deal is written once; the review after it meets the plugin's fault and says so.
    RunResult added = t.Isolated(
        {"deal", "add", t.customer, "--unit", "5-801", "--price", "300万", "--status", "signed"});
    CHECK(added.exit_code == 0);
    CHECK(added.err.find("plugin '" + fixture + "'") != std::string::npos);
    CHECK(added.err.find(reason) != std::string::npos);

    RunResult listed = t.Isolated({"customer", "list", "--tier", "C"});
    CHECK(listed.exit_code == 1);
    CHECK(listed.err.find("plugin '" + fixture + "' (" + fixture +
                          ".so) disabled: grading "
                          "customers: its plugin-host process") != std::string::npos);
    CHECK(listed.err.find(reason) != std::string::npos);
    RunResult explained = t.Isolated({"tier", "explain", t.customer});
    CHECK(explained.exit_code == 1);
    CHECK(explained.err.find("plugin '" + fixture + "'") != std::string::npos);
    // The store is intact and still works without the plugin.
    CHECK(t.Deals() == 1);
    CHECK(Cli(t.db, {"customer", "get", t.customer}).exit_code == 0);
  }
}

TEST_CASE("a crash in the review after a deal, then a retry of the command: exactly one deal") {
  Tablet t("crash");
  const std::vector<std::string> add = {"deal",    "add",   t.customer, "--unit", "5-801",
                                        "--price", "300万", "--status", "signed"};
  // In this process the crash kills the command after its deal was committed...
  std::vector<std::string> in_process = {t.plugins, kAt};
  in_process.insert(in_process.end(), add.begin(), add.end());
  RunResult crashed = Cli(t.db, in_process);
  CHECK(crashed.exit_code != 0);
  CHECK(t.Deals() == 1);
  // ...and the agent's retry finds that deal instead of adding a second.
  RunResult retried = t.Isolated(add);
  CHECK(retried.exit_code == 0);
  CHECK(retried.err.find("this deal is already recorded") != std::string::npos);
  CHECK(t.Deals() == 1);
  RunResult again = t.Isolated(add);
  CHECK(Line(again.out) == Line(retried.out));
  CHECK(t.Deals() == 1);
  // Another price on the same live unit is not a retry: refused, nothing written.
  RunResult other = t.Isolated(
      {"deal", "add", t.customer, "--unit", "5-801", "--price", "310万", "--status", "signed"});
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("already has a signed deal on unit 5-801") != std::string::npos);
  CHECK(t.Deals() == 1);
}

TEST_CASE("built-in plugins isolated grade exactly as in this process") {
  Tablet t("crash");
  std::filesystem::remove(t.dir.File("plugins/crash.so"));
  std::filesystem::copy_file(BuiltinPlugins() + "/tiering.so", t.dir.File("plugins/tiering.so"));
  Cli(t.db, {"visit", "add", t.customer, "--at", "2026-06-10T10:00Z"});
  RunResult in_process = Cli(t.db, {t.plugins, kAt, "--json", "tier", "explain", t.customer});
  RunResult isolated = t.Isolated({"--json", "tier", "explain", t.customer});
  REQUIRE(in_process.exit_code == 0);
  CHECK(isolated.exit_code == 0);
  CHECK(json::parse(isolated.out) == json::parse(in_process.out));
  json listed = json::parse(t.Isolated({"--json", "plugins", "list"}).out);
  CHECK(listed["plugins"][0]["isolated"] == true);
}

TEST_CASE("grading through more slots than the shared memory has: every grade as in this process") {
  // Three and a half slots' worth of customers, every one different, so that a grade copied
  // from the wrong slot or the wrong offset shows.
  std::vector<sdk::CustomerFacts> facts(3 * SharedGrades::kCapacity + 1234);
  constexpr int64_t kAsOf = 1'781'481'600'000;  // 2026-06-15
  constexpr int64_t kDay = 86'400'000;
  for (size_t i = 0; i < facts.size(); ++i) {
    sdk::CustomerFacts& f = facts[i];
    f.budget_cny = static_cast<int64_t>(100 + i % 900) * 10'000;
    f.stage = static_cast<int32_t>(i % 4);
    f.visits = static_cast<int32_t>(i % 7);
    f.contacts = static_cast<int32_t>(i % 11);
    f.created_ms = kAsOf - static_cast<int64_t>(i % 500) * kDay;
    f.last_interaction_ms = kAsOf - static_cast<int64_t>(i % 97) * kDay;
    f.deals_signed = f.stage >= sdk::kBuyer ? 1 : 0;
    f.deals_amount_cny = f.deals_signed * f.budget_cny;
  }
  InProcessPlugin in_process(BuiltinPlugins() + "/tiering.so");
  IsolatedPlugin isolated(BuiltinPlugins() + "/tiering.so",
                          PluginRunOptions(PluginIsolation::kAll, {}).host_program, {});
  std::string config = in_process.manifest().at("default_config").dump();
  in_process.Configure(config);
  isolated.Configure(config);
  std::vector<sdk::TierGrade> expected = GradeFacts(in_process, facts, kAsOf);
  std::vector<sdk::TierGrade> got = GradeFacts(isolated, facts, kAsOf);
  REQUIRE(got.size() == expected.size());
  size_t differing = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const sdk::TierGrade &a = got[i], &b = expected[i];
    if (a.tier != b.tier || a.score != b.score || a.segment != b.segment ||
        a.recency != b.recency || a.frequency != b.frequency || a.monetary != b.monetary) {
      ++differing;
    }
  }
  CHECK(differing == 0);
  std::set<char> tiers;
  for (const sdk::TierGrade& grade : got) tiers.insert(grade.tier);
  CHECK(tiers.size() >= 3);  // the facts spread over the tiers: the comparison means something
  // The process is still in step with this side: a second pass answers the same.
  CHECK(GradeFacts(isolated, facts, kAsOf).size() == facts.size());
  CHECK(isolated.usable());
}

}  // namespace
}  // namespace fieldcrm::testing
