// referral rewards | leaderboard: what the referral program (老带新) granted, and to whom.
// (referral add lives with the other activities.)
#include <iostream>

#include "context.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/rewards.h"
#include "fieldcrm/plugin_host/plugin_review.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

// Grants whatever is due first, so that a report never lags behind the facts (after a sync).
void CatchUp(Context& ctx) {
  ReviewResult result = ctx.session().ReviewAll();
  for (const std::string& failure : result.failures) {
    std::cerr << "fieldcrm: warning: " << failure << '\n';
  }
}

}  // namespace

void AddReferralCommands(CLI::App& app, Context& ctx) {
  CLI::App* referral = app.get_subcommand("referral");
  {
    auto* rewards = referral->add_subcommand("rewards", "rewards granted, oldest first");
    auto referrer = std::make_shared<std::string>();
    rewards->add_option("--referrer", *referrer, "only this referrer's history");
    rewards->callback([&ctx, referrer] {
      CatchUp(ctx);
      std::optional<std::string> only;
      if (!referrer->empty()) only = *referrer;
      auto history = RewardHistory(ctx.Open(), only);
      if (ctx.json) return PrintJson(history);
      std::vector<std::vector<std::string>> rows;
      for (const json& r : history) {
        rows.push_back({Show(r, "granted_at"), Show(r, "referrer_name"), Show(r, "referee_name"),
                        Show(r, "unit"), Show(r, "points"), Show(r, "benefit"), Show(r, "deal")});
      }
      PrintTable({"GRANTED", "REFERRER", "REFEREE", "UNIT", "POINTS", "BENEFIT", "DEAL"}, rows);
    });
  }
  {
    auto* board = referral->add_subcommand("leaderboard", "referrers by points and referrals");
    board->callback([&ctx] {
      CatchUp(ctx);
      auto rows_json = ReferralLeaderboard(ctx.Open());
      if (ctx.json) return PrintJson(rows_json);
      std::vector<std::vector<std::string>> rows;
      for (const json& r : rows_json) {
        rows.push_back({Show(r, "name"), Show(r, "referrals"), Show(r, "rewards"),
                        Show(r, "points"), Show(r, "benefits"), Show(r, "referrer")});
      }
      PrintTable({"REFERRER", "REFERRALS", "REWARDS", "POINTS", "BENEFITS", "ID"}, rows);
    });
  }
}

}  // namespace fieldcrm::cli
