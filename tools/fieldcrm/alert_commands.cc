// alerts: what is due, per agent (visit without follow-up, SLA, churn risk, birthdays...).
#include <iostream>

#include "context.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/plugin_host/plugin_review.h"

namespace fieldcrm::cli {

using nlohmann::json;

void AddAlertCommands(CLI::App& app, Context& ctx) {
  auto* alerts =
      app.add_subcommand("alerts", "what is due now, per agent (use --as-of for another time)");
  auto agent = std::make_shared<std::string>();
  alerts->add_option("--agent", *agent, "only this agent's alerts");
  alerts->callback([&ctx, agent] {
    AlertsResult result = CollectAlerts(ctx.Open(), ctx.Plugins(), ctx.AsOfMs());
    for (const std::string& failure : result.failures) {
      std::cerr << "fieldcrm: warning: " << failure << '\n';
    }
    std::erase_if(result.alerts,
                  [&](const DueAlert& a) { return !agent->empty() && a.agent != *agent; });
    if (ctx.json) {
      json out = json::array();
      for (const DueAlert& a : result.alerts) {
        out.push_back({{"agent", a.agent},
                       {"due", FormatTime(a.due_ms)},
                       {"rule", a.rule},
                       {"customer", a.customer},
                       {"customer_name", a.customer_name},
                       {"message", a.message},
                       {"plugin", a.plugin}});
      }
      return PrintJson(out);
    }
    std::string current = "\x01";
    for (const DueAlert& a : result.alerts) {
      if (a.agent != current) {
        current = a.agent;
        std::cout << "\n" << (a.agent.empty() ? "(no agent)" : Escaped(a.agent)) << ":\n";
      }
      std::cout << "  " << FormatLocalTime(a.due_ms) << "  " << a.rule << "  "
                << Escaped(a.customer_name) << " (" << a.customer << "): " << Escaped(a.message)
                << '\n';
    }
    std::cout << result.alerts.size()
              << (result.alerts.size() == 1 ? " alert due\n" : " alerts due\n");
  });
}

}  // namespace fieldcrm::cli
