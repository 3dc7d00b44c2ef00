// fieldcrm: the field agent's command line. Exit codes: 0 success, 1 an error (one line on
// stderr), 2 a usage error.
#include <iostream>

#include "context.h"

int main(int argc, char** argv) {
  using fieldcrm::cli::Context;
  CLI::App app{"fieldcrm: customer records for real-estate sales teams, offline first"};
  app.set_version_flag("--version", "fieldcrm 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  Context ctx;
  app.add_option("--db", ctx.db_path, "the store file (one per tablet or server)");
  app.add_flag("--json", ctx.json, "print JSON for scripts instead of tables");
  app.add_option("--plugins", ctx.plugins_dir, "load plugins from this folder (see 'plugins dir')");
  app.add_option("--as-of", ctx.as_of, "evaluate tiers and alerts at this time (default now)");
  fieldcrm::cli::AddDataCommands(app, ctx);
  fieldcrm::cli::AddImportCommand(app, ctx);
  fieldcrm::cli::AddCustomerCommands(app, ctx);
  fieldcrm::cli::AddActivityCommands(app, ctx);
  fieldcrm::cli::AddSyncCommands(app, ctx);
  fieldcrm::cli::AddReferralCommands(app, ctx);  // extends 'referral'
  fieldcrm::cli::AddPluginCommands(app, ctx);
  fieldcrm::cli::AddTierCommands(app, ctx);
  fieldcrm::cli::AddSurveyCommands(app, ctx);
  fieldcrm::cli::AddAlertCommands(app, ctx);
  fieldcrm::cli::AddReportCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help and --version exit 0
  } catch (const std::exception& e) {
    std::cerr << "fieldcrm: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
