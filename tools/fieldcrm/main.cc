// fieldcrm: the field agent's command line. Exit codes: 0 success, 1 an error (one line on
// stderr), 2 a usage error.
#include <iostream>
#include <optional>
#include <string>

#include "context.h"

namespace {

// CLI11 reports a misspelt command as "A subcommand is required"; this names the word and the
// commands that would fit. Follows argv through the known commands (skipping options and their
// values) to the first word that is none of them.
std::optional<std::string> UnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word.starts_with("-")) {
      const CLI::Option* option = current->get_option_no_throw(word.substr(0, word.find('=')));
      if (!option) option = app.get_option_no_throw(word.substr(0, word.find('=')));
      bool takes_value =
          option && option->get_type_size() > 0 && word.find('=') == std::string::npos;
      if (takes_value) ++i;
      continue;
    }
    if (current->get_subcommands({}).empty()) return std::nullopt;
    std::string known;
    CLI::App* match = nullptr;
    for (CLI::App* sub : current->get_subcommands({})) {
      if (sub->check_name(word)) match = sub;
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (match) {
      current = match;
      continue;
    }
    return "unknown command '" + word + "'" +
           (current == &app ? "" : " for '" + current->get_name() + "'") + " (commands: " + known +
           ")";
  }
  return std::nullopt;
}

}  // namespace

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
  app.add_flag("--allow-unsigned-plugins", ctx.allow_unsigned_plugins,
               "also load plugins head office did not sign from the plugins folder (ones you "
               "built or copied yourself)");
  app.add_option("--as-of", ctx.as_of, "evaluate tiers and alerts at this time (default now)");
  fieldcrm::cli::AddPluginRunOptions(app, ctx.plugin_run, "none");
  fieldcrm::cli::AddDataCommands(app, ctx);
  fieldcrm::cli::AddImportCommand(app, ctx);
  fieldcrm::cli::AddCustomerCommands(app, ctx);
  fieldcrm::cli::AddActivityCommands(app, ctx);
  fieldcrm::cli::AddServiceCommands(app, ctx);
  fieldcrm::cli::AddSyncCommands(app, ctx);
  fieldcrm::cli::AddReferralCommands(app, ctx);  // extends 'referral'
  fieldcrm::cli::AddPluginCommands(app, ctx);
  fieldcrm::cli::AddTierCommands(app, ctx);
  fieldcrm::cli::AddSurveyCommands(app, ctx);
  fieldcrm::cli::AddAlertCommands(app, ctx);
  fieldcrm::cli::AddReportCommands(app, ctx);
  fieldcrm::cli::AddReceptionCommands(app, ctx);
  fieldcrm::cli::AddAppCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (auto unknown = UnknownCommand(app, argc, argv)) {
      std::cerr << "fieldcrm: error: " << *unknown << '\n';
      return 2;
    }
    return app.exit(e) == 0 ? 0 : 2;  // --help and --version exit 0
  } catch (const std::exception& e) {
    std::cerr << "fieldcrm: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
