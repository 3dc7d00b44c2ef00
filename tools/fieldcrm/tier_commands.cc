// tier explain | summary: the tiering plugin's grades and its reasons.
#include <iostream>
#include <map>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/plugin_checks.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

// Prints an explanation that follows the documented schema (sdk/include/fieldcrm/plugin_checks.h);
// any other shape is shown as the plugin gave it, with a warning saying what is off.
void PrintExplanation(const json& e) {
  std::cout << "tier " << Show(e, "tier") << " (score " << Show(e, "tier_score") << ", segment "
            << Show(e, "segment") << ") by plugin " << Show(e, "plugin") << '\n';
  const json& explanation = e["explanation"];
  try {
    sdk::checks::CheckExplanation(explanation);
  } catch (const std::invalid_argument& why) {
    std::cerr << "fieldcrm: warning: plugin '" << Show(e, "plugin")
              << "' explains its grades in a shape tier explain cannot show (" << why.what()
              << "); its explanation as given:\n";
    std::cout << explanation.dump(2) << '\n';
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& f : explanation["factors"]) {
    rows.push_back({Show(f, "name"), f.contains("value") ? Show(f["value"]) : "", Show(f, "weight"),
                    Show(f, "points"), Show(f, "reason")});
  }
  PrintTable({"FACTOR", "VALUE", "WEIGHT", "POINTS", "WHY"}, rows);
  if (json t = explanation.value("thresholds", json()); t.is_object()) {
    std::cout << "thresholds: A ≥ " << Show(t, "A") << ", B ≥ " << Show(t, "B") << ", C ≥ "
              << Show(t, "C") << ", else D\n";
  }
  std::cout << "RFM: r=" << e["rfm"]["r"] << " f=" << e["rfm"]["f"] << " m=" << e["rfm"]["m"];
  if (explanation.contains("rfm")) std::cout << "  (" << explanation["rfm"].dump() << ")";
  std::cout << '\n';
}

}  // namespace

void AddTierCommands(CLI::App& app, Context& ctx) {
  auto* tier = app.add_subcommand("tier", "customer tiers (A-D) and RFM segments");
  tier->require_subcommand(1);
  {
    auto* explain = tier->add_subcommand("explain", "why a customer has its tier");
    auto id = std::make_shared<std::string>();
    explain->add_option("ID", *id, "customer id")->required();
    explain->callback([&ctx, id] {
      Store& store = ctx.Open();
      std::string root = Customers(store).Resolve(*id);
      LoadedPlugin& tiering = ctx.Plugins().RequireKind("tiering");
      auto bundles = LoadCustomerBundles(store, root);
      json e = ExplainTier(tiering, bundles.front(), ctx.AsOfMs());
      ctx.json ? PrintJson(e) : PrintExplanation(e);
    });
  }
  {
    auto* summary = tier->add_subcommand("summary", "how many customers in each tier and segment");
    summary->callback([&ctx] {
      Store& store = ctx.Open();
      auto grades = GradeStore(store, ctx.Plugins().RequireKind("tiering"), ctx.AsOfMs());
      std::map<std::pair<std::string, std::string>, int> counts;
      for (const auto& [id, grade] : grades) {
        counts[{std::string(1, grade.tier), SegmentName(grade.segment)}]++;
      }
      json out = json::array();
      std::vector<std::vector<std::string>> rows;
      for (const auto& [key, count] : counts) {
        out.push_back({{"tier", key.first}, {"segment", key.second}, {"customers", count}});
        rows.push_back({key.first, key.second, std::to_string(count)});
      }
      ctx.json ? PrintJson(out) : PrintTable({"TIER", "SEGMENT", "CUSTOMERS"}, rows);
    });
  }
}

}  // namespace fieldcrm::cli
