// tier explain | summary: the tiering plugin's grades and its reasons.
#include <iostream>
#include <map>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

void PrintExplanation(const json& e) {
  std::cout << "tier " << Show(e, "tier") << " (score " << Show(e, "tier_score") << ", segment "
            << Show(e, "segment") << ") by plugin " << Show(e, "plugin") << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const json& f : e["explanation"]["factors"]) {
    rows.push_back({Show(f, "factor"), f["value"].dump(), Show(f, "weight"), Show(f, "share"),
                    Show(f, "points")});
  }
  PrintTable({"FACTOR", "VALUE", "WEIGHT", "SHARE", "POINTS"}, rows);
  const json& t = e["explanation"]["thresholds"];
  std::cout << "thresholds: A ≥ " << Show(t, "A") << ", B ≥ " << Show(t, "B") << ", C ≥ "
            << Show(t, "C") << ", else D\n";
  std::cout << "RFM: r=" << e["rfm"]["r"] << " f=" << e["rfm"]["f"] << " m=" << e["rfm"]["m"]
            << "  (" << e["explanation"]["rfm"].dump() << ")\n";
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
