// What every command shares: the store path, the output mode, and the store itself, opened on
// first use so that usage errors are reported before any file is touched.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "core/store.h"

namespace fieldcrm::cli {

struct Context {
  std::string db_path;
  bool json = false;
  std::unique_ptr<Store> store;

  Store& Open() {
    if (db_path.empty()) throw CLI::RequiredError("--db");
    if (!store) store = Store::Open(db_path);
    return *store;
  }
};

void AddCustomerCommands(CLI::App& app, Context& ctx);
void AddActivityCommands(CLI::App& app, Context& ctx);
void AddDataCommands(CLI::App& app, Context& ctx);
void AddSyncCommands(CLI::App& app, Context& ctx);

}  // namespace fieldcrm::cli
