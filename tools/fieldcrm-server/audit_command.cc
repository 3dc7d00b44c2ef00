// audit CUSTOMER_ID: a customer's full history as the server received it, for commission disputes
// ("who registered this customer first?").
#include <iostream>

#include "fieldcrm/cli/output.h"
#include "fieldcrm/server/audit.h"
#include "server_cli.h"

namespace fieldcrm::sync {

using nlohmann::json;

void AddAuditCommand(CLI::App& app, ServerContext& ctx) {
  auto* audit = app.add_subcommand(
      "audit", "a customer's full history: who registered it first, every change, merges");
  auto id = std::make_shared<std::string>();
  audit->add_option("CUSTOMER_ID", *id, "the customer's id (an id merged away works too)")
      ->required();
  audit->callback([&ctx, id] {
    json history = ctx.Open().History(*id);
    if (ctx.json) return cli::PrintJson(history);
    std::cout << "customer " << history["customer"].get<std::string>();
    if (history["ids"].size() > 1) std::cout << " (merged from " << history["ids"].dump() << ")";
    std::cout << '\n';
    if (const json& first = history["registered"]; !first.is_null()) {
      std::cout << "registered first by " << cli::Show(first, "agent") << " on device "
                << first["device"].get<std::string>() << ", stamped "
                << first["stamped_at"].get<std::string>() << ", accepted "
                << cli::Show(first, "accepted_at") << '\n';
    }
    PrintRows(ctx, history["changes"],
              {{"ACCEPTED", "accepted_at"},
               {"STAMPED", "stamped_at"},
               {"AGENT", "agent"},
               {"TEAM", "team"},
               {"DEVICE", "device"},
               {"RECORD", "record"},
               {"FIELD", "field"},
               {"VALUE", "value"}});
  });
}

}  // namespace fieldcrm::sync
