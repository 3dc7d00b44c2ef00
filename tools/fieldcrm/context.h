// What every command shares: the options given before the command, and the session they open
// (fieldcrm/application/session.h), created on first use so that usage errors are reported
// before any file is touched.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "fieldcrm/application/session.h"
#include "fieldcrm/cli/plugin_options.h"

namespace fieldcrm::cli {

struct Context {
  std::string db_path;
  bool json = false;
  std::string plugins_dir;              // --plugins: overrides the store's and the default folder
  bool allow_unsigned_plugins = false;  // --allow-unsigned-plugins
  std::string as_of;                    // --as-of: the time tiers and alerts are evaluated at
  PluginRunFlags plugin_run;            // --plugin-isolation and the limits

  // --db, --plugins, --as-of and how plugins run; throws CLI::RequiredError without --db.
  SessionOptions Options() const;
  // The session over them.
  Session& session();
  Store& Open() { return session().store(); }
  PluginHost& Plugins() { return session().plugins(); }
  int64_t AsOfMs() { return session().AsOfMs(); }
  // Prints the warnings of the review after a write (the write itself succeeded).
  void Warn(const std::vector<std::string>& warnings) const;

 private:
  std::unique_ptr<Session> session_;
};

void AddCustomerCommands(CLI::App& app, Context& ctx);
void AddActivityCommands(CLI::App& app, Context& ctx);
void AddDataCommands(CLI::App& app, Context& ctx);
void AddImportCommand(CLI::App& app, Context& ctx);
void AddSyncCommands(CLI::App& app, Context& ctx);
void AddPluginCommands(CLI::App& app, Context& ctx);
void AddTierCommands(CLI::App& app, Context& ctx);
void AddReferralCommands(CLI::App& app, Context& ctx);
void AddSurveyCommands(CLI::App& app, Context& ctx);
void AddAlertCommands(CLI::App& app, Context& ctx);
void AddReportCommands(CLI::App& app, Context& ctx);
void AddServiceCommands(CLI::App& app, Context& ctx);
void AddReceptionCommands(CLI::App& app, Context& ctx);
void AddAppCommand(CLI::App& app, Context& ctx);

}  // namespace fieldcrm::cli
