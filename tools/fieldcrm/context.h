// What every command shares: the store path, the output mode, and the store itself, opened on
// first use so that usage errors are reported before any file is touched; likewise the plugins.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/plugin_host.h"
#include "core/store.h"

namespace fieldcrm::cli {

struct Context {
  std::string db_path;
  bool json = false;
  std::string plugins_dir;  // --plugins: overrides the store's and the default folder
  std::string as_of;        // --as-of: the time tiers and alerts are evaluated at
  std::unique_ptr<Store> store;
  std::unique_ptr<PluginHost> plugins;

  Store& Open() {
    if (db_path.empty()) throw CLI::RequiredError("--db");
    if (!store) store = Store::Open(db_path);
    return *store;
  }
  // The plugins of the store's plugins folder, loaded and configured on first use.
  PluginHost& Plugins();
  // --as-of, or now.
  int64_t AsOfMs() const;
  // Lets the plugins react to a local write (a referral reward for a signed deal): reviews the
  // customer the record (a customer, deal, referral...) belongs to. Plugin failures are
  // warnings: the write itself has already succeeded.
  void ReviewAfterWrite(const std::string& record);
};

void AddCustomerCommands(CLI::App& app, Context& ctx);
void AddActivityCommands(CLI::App& app, Context& ctx);
void AddDataCommands(CLI::App& app, Context& ctx);
void AddSyncCommands(CLI::App& app, Context& ctx);
void AddPluginCommands(CLI::App& app, Context& ctx);
void AddTierCommands(CLI::App& app, Context& ctx);
void AddReferralCommands(CLI::App& app, Context& ctx);
void AddSurveyCommands(CLI::App& app, Context& ctx);
void AddAlertCommands(CLI::App& app, Context& ctx);
void AddReportCommands(CLI::App& app, Context& ctx);

}  // namespace fieldcrm::cli
