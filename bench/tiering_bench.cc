#include "tiering_bench.h"

#include <random>

#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/plugin_host/isolated_plugin.h"
#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "plugins/tiering/rules.h"

namespace fieldcrm::bench {

namespace {

constexpr int64_t kAsOfMs = 1'764'000'000'000;
constexpr int64_t kDayMs = 86'400'000;

// Facts in the proportions of a sales office: most customers prospects with a visit or two, a
// few owners with signed deals, referrals and survey answers.
std::vector<sdk::CustomerFacts> MakeFacts(int64_t count) {
  std::mt19937 rng(41);
  std::vector<sdk::CustomerFacts> facts(count);
  for (sdk::CustomerFacts& f : facts) {
    f.budget_cny = (150 + static_cast<int64_t>(rng() % 850)) * 10'000;
    f.stage = static_cast<int32_t>(rng() % 10 < 6 ? rng() % 2 : 2 + rng() % 2);
    f.visits = static_cast<int32_t>(rng() % 6);
    f.contacts = static_cast<int32_t>(rng() % 10);
    f.visit_minutes = f.visits * static_cast<int32_t>(20 + rng() % 60);
    f.created_ms = kAsOfMs - static_cast<int64_t>(rng() % 700) * kDayMs;
    f.last_interaction_ms = kAsOfMs - static_cast<int64_t>(rng() % 120) * kDayMs;
    if (f.stage >= sdk::kBuyer) {
      f.deals_signed = 1 + static_cast<int32_t>(rng() % 2);
      f.deals_amount_cny = f.deals_signed * f.budget_cny;
      f.last_signed_ms = kAsOfMs - static_cast<int64_t>(rng() % 365) * kDayMs;
      f.referrals_made = static_cast<int32_t>(rng() % 3);
      f.survey_responses = static_cast<int32_t>(rng() % 2);
      f.satisfaction = f.survey_responses ? static_cast<double>(rng() % 11) : -1;
    }
  }
  return facts;
}

}  // namespace

void RunTieringBenchmark(const Options& options, Report& report) {
  std::vector<sdk::CustomerFacts> facts = MakeFacts(options.Scaled(1'000'000, 1000));
  InProcessPlugin plugin(options.plugins_dir + "/tiering.so");
  const nlohmann::json& config = plugin.manifest().at("default_config");
  plugin.Configure(config.dump());
  tiering::Rules rules = tiering::Rules::FromConfig(config);

  // The same plugin in a supervised plugin-host process: the batches cross shared memory.
  IsolatedPlugin isolated(options.plugins_dir + "/tiering.so",
                          PluginRunOptions(PluginIsolation::kAll, {}).host_program, {});
  isolated.Configure(config.dump());
  auto rate = [&](const std::function<void()>& grade) {
    double start = Now();
    grade();
    return static_cast<double>(facts.size()) / (Now() - start);
  };
  // The three ways run back to back in every round, and the overheads are medians of each
  // round's ratios, so a change in the machine's load between rounds skews no comparison.
  std::vector<double> plugin_rates, isolated_rates, compiled_rates, isolation_lost, plugin_extra;
  for (int round = 0; round < std::max(1, options.runs); ++round) {
    plugin_rates.push_back(rate([&] { GradeFacts(plugin, facts, kAsOfMs); }));
    isolated_rates.push_back(rate([&] { GradeFacts(isolated, facts, kAsOfMs); }));
    compiled_rates.push_back(rate([&] {
      std::vector<sdk::TierGrade> grades(facts.size());
      for (size_t i = 0; i < facts.size(); ++i)
        grades[i] = tiering::GradeOne(rules, facts[i], kAsOfMs, 0);
    }));
    isolation_lost.push_back(100 * (1 - isolated_rates.back() / plugin_rates.back()));
    plugin_extra.push_back(100 * (compiled_rates.back() / plugin_rates.back() - 1));
  }
  std::string n = std::to_string(facts.size()) + " customers";
  report.Add({"tiering", "through the plugin", MedianOf(plugin_rates), "customers/s",
              n + ", tiering.so loaded with Boost.DLL (target >= 1,000,000/s)"});
  report.Add({"tiering", "through the plugin, isolated", MedianOf(isolated_rates), "customers/s",
              n + ", tiering.so in a fieldcrm-plugin-host process"});
  report.Add({"tiering", "isolation overhead", MedianOf(isolation_lost), "%",
              "throughput lost to the plugin-host process (target <= 25%)"});
  report.Add({"tiering", "compiled into the host", MedianOf(compiled_rates), "customers/s",
              "the same rules called directly"});
  report.Add({"tiering", "plugin overhead", MedianOf(plugin_extra), "%",
              "extra time through the plugin boundary (target <= 10%)"});
}

}  // namespace fieldcrm::bench
