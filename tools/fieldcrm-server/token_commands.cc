// token create | list | revoke: who may sync. The token itself is printed once, on stdout.
#include <unistd.h>

#include <iostream>

#include "server_cli.h"

namespace fieldcrm::sync {

using nlohmann::json;

void AddTokenCommands(CLI::App& app, ServerContext& ctx) {
  auto* token = app.add_subcommand("token", "create, list and revoke device tokens");
  token->require_subcommand(1);
  {
    auto* create = token->add_subcommand("create", "create a token and print it (once)");
    auto info = std::make_shared<TokenInfo>();
    auto role = std::make_shared<std::string>("agent");
    create->add_option("--agent", info->agent, "the agent (or office person) it is for")
        ->required();
    create->add_option("--team", info->team, "the agent's team (required for agents)");
    create
        ->add_option("--role", *role,
                     "agent (own team only), leader (own team, and its dashboard pages) or "
                     "office (everything)")
        ->capture_default_str();
    create->callback([&ctx, info, role] {
      info->role = ParseRole(*role);
      std::string text = IssueToken(ctx.Open(), *info);
      // When stdout goes to a file or a script's variable, "shown below" would point at nothing.
      std::cerr << "token " << info->id << " for " << info->agent
                << (info->team.empty() ? "" : " of team " + info->team) << " (" << *role << "); "
                << (isatty(STDOUT_FILENO) ? "it is shown only this once:"
                                          : "written to stdout, only this once")
                << '\n';
      std::cout << text << '\n';
    });
  }
  {
    auto* list = token->add_subcommand("list", "list tokens (never the secrets)");
    list->callback([&ctx] {
      json out = json::array();
      for (const TokenInfo& t : ctx.Open().ListTokens()) {
        out.push_back({{"id", t.id},
                       {"agent", t.agent},
                       {"team", t.team},
                       {"role", RoleName(t.role)},
                       {"created_at", t.created_at},
                       {"revoked_at", t.revoked_at},
                       {"wipe", t.wipe}});
      }
      PrintRows(ctx, out,
                {{"ID", "id"},
                 {"AGENT", "agent"},
                 {"TEAM", "team"},
                 {"ROLE", "role"},
                 {"CREATED", "created_at"},
                 {"REVOKED", "revoked_at"},
                 {"WIPE", "wipe"}});
    });
  }
  {
    auto* revoke = token->add_subcommand("revoke", "revoke a token: its device can no longer sync");
    auto id = std::make_shared<std::string>();
    auto wipe = std::make_shared<bool>(false);
    revoke->add_option("ID", *id, "the token's id from 'token list'")->required();
    revoke->add_flag("--wipe", *wipe,
                     "lost or stolen tablet: it deletes its store at its next contact");
    revoke->callback([&ctx, id, wipe] {
      SqliteServerStorage& storage = ctx.Open();
      storage.RevokeToken(*id, storage.env().NowIso(), *wipe);
      std::cout << "revoked token " << *id
                << (*wipe ? "; its tablet will delete its store at its next contact" : "") << '\n';
    });
  }
}

}  // namespace fieldcrm::sync
