// users add | list | remove: the people who log in to the dashboard with a name and a password
// (fieldcrm/server/dashboard_users.h). The password is read from stdin, never from the command
// line (which shell histories and process lists keep).
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/dashboard_users.h"
#include "server_cli.h"

namespace fieldcrm::sync {

namespace {

// One line of stdin; typed at a terminal, without echo.
std::string ReadPassword(const std::string& name) {
  bool terminal = isatty(STDIN_FILENO);
  termios saved{};
  if (terminal) {
    std::cerr << "password for " << name << ": " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  bool read = static_cast<bool>(std::getline(std::cin, password));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  if (!read) throw InvalidInput("no password on stdin (give it as one line)");
  return password;
}

}  // namespace

void AddUsersCommands(CLI::App& app, ServerContext& ctx) {
  auto* users = app.add_subcommand("users", "the dashboard's people: team leaders, head office");
  users->require_subcommand(1);
  {
    auto* add = users->add_subcommand(
        "add", "add a person (or set a new password, team, role); the password is read from stdin");
    auto user = std::make_shared<DashboardUser>();
    auto role = std::make_shared<std::string>("leader");
    add->add_option("NAME", user->name, "the name they log in with")->required();
    add->add_option("--team", user->team, "a team leader's team");
    add->add_option("--role", *role, "leader (their team's pages only) or office (everything)")
        ->capture_default_str();
    add->callback([&ctx, user, role] {
      user->role = ParseRole(*role);
      SqliteServerStorage& storage = ctx.Open();
      AddDashboardUser(storage, *user, ReadPassword(user->name));
      std::cerr << "dashboard user " << user->name << " (" << *role
                << (user->team.empty() ? "" : " of team " + user->team)
                << ") can log in at the server's address\n";
    });
  }
  {
    auto* list = users->add_subcommand("list", "list the dashboard's people (never passwords)");
    list->callback([&ctx] {
      nlohmann::json out = nlohmann::json::array();
      for (const DashboardUser& u : ctx.Open().ListUsers()) {
        out.push_back({{"name", u.name},
                       {"team", u.team},
                       {"role", RoleName(u.role)},
                       {"created_at", u.created_at}});
      }
      PrintRows(ctx, out,
                {{"NAME", "name"}, {"TEAM", "team"}, {"ROLE", "role"}, {"CREATED", "created_at"}});
    });
  }
  {
    auto* remove = users->add_subcommand("remove", "remove a person: their sessions end at once");
    auto name = std::make_shared<std::string>();
    remove->add_option("NAME", *name, "the name from 'users list'")->required();
    remove->callback([&ctx, name] {
      ctx.Open().RemoveUser(*name);
      std::cout << "removed dashboard user " << *name << '\n';
    });
  }
}

}  // namespace fieldcrm::sync
