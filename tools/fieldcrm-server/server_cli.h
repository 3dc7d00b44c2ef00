// fieldcrm-server's commands, registered per file like the fieldcrm CLI's.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

struct ServerContext {
  std::string db_path;
  bool json = false;
  std::unique_ptr<SqliteServerStorage> storage;

  SqliteServerStorage& Open() {
    if (db_path.empty()) throw CLI::RequiredError("--db");
    if (!storage) storage = std::make_unique<SqliteServerStorage>(db_path);
    return *storage;
  }
};

// Prints rows (JSON objects) as JSON or as a table of the given (header, key) columns.
void PrintRows(const ServerContext& ctx, const nlohmann::json& rows,
               const std::vector<std::pair<std::string, std::string>>& columns);

void AddServeCommand(CLI::App& app, ServerContext& ctx);
void AddTokenCommands(CLI::App& app, ServerContext& ctx);
void AddUsersCommands(CLI::App& app, ServerContext& ctx);
void AddTeamsCommands(CLI::App& app, ServerContext& ctx);
void AddDevicesCommand(CLI::App& app, ServerContext& ctx);
void AddAuditCommand(CLI::App& app, ServerContext& ctx);
void AddPluginCommands(CLI::App& app, ServerContext& ctx);
void AddEraseCommands(CLI::App& app, ServerContext& ctx);

}  // namespace fieldcrm::sync
