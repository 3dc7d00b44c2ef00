// fieldcrm-server: head office's sync server. Exit codes: 0 success, 1 an error (one line on
// stderr), 2 a usage error.
#include <iostream>

#include "server_cli.h"

int main(int argc, char** argv) {
  CLI::App app{"fieldcrm-server: head office's sync server for fieldcrm tablets"};
  app.set_version_flag("--version", "fieldcrm-server 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  fieldcrm::sync::ServerContext ctx;
  app.add_option("--db", ctx.db_path,
                 "the server's store: a file (created when missing), or a postgresql:// URL "
                 "shared by several server processes (docs/postgresql.md)");
  app.add_flag("--json", ctx.json, "print JSON for scripts instead of tables");
  fieldcrm::sync::AddServeCommand(app, ctx);
  fieldcrm::sync::AddTokenCommands(app, ctx);
  fieldcrm::sync::AddUsersCommands(app, ctx);
  fieldcrm::sync::AddTeamsCommands(app, ctx);
  fieldcrm::sync::AddDevicesCommand(app, ctx);
  fieldcrm::sync::AddAuditCommand(app, ctx);
  fieldcrm::sync::AddPluginCommands(app, ctx);
  fieldcrm::sync::AddEraseCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "fieldcrm-server: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
