// teams zone | zones: each team's time zone, which its dashboard's days, presets and times follow
// (a team without one, and the whole company, have head office's: the server's TZ, else
// Asia/Shanghai).
#include <iostream>

#include "fieldcrm/model/time_zone.h"
#include "server_cli.h"

namespace fieldcrm::sync {

void AddTeamsCommands(CLI::App& app, ServerContext& ctx) {
  auto* teams = app.add_subcommand("teams", "each team's time zone");
  teams->require_subcommand(1);
  {
    auto* zone = teams->add_subcommand("zone", "set a team's time zone (an IANA name)");
    auto team = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    zone->add_option("TEAM", *team, "the team, as its tablets' tokens name it")->required();
    zone->add_option("ZONE", *name, "e.g. Asia/Shanghai, Asia/Urumqi, Europe/London")->required();
    zone->callback([&ctx, team, name] {
      TimeZone checked = TimeZone::Named(*name);  // before opening: a typo changes nothing
      ctx.Open().SetTeamZone(*team, checked);
      std::cout << "team " << *team << " now sees its days and times in " << checked.name() << '\n';
    });
  }
  {
    auto* zones = teams->add_subcommand("zones", "list the teams' time zones and head office's");
    zones->callback([&ctx] {
      nlohmann::json out = nlohmann::json::array();
      out.push_back(
          {{"team", "(head office, and teams without one)"}, {"zone", TimeZone::Default().name()}});
      for (const auto& [team, zone] : ctx.Open().TeamZones()) {
        out.push_back({{"team", team}, {"zone", zone}});
      }
      PrintRows(ctx, out, {{"TEAM", "team"}, {"ZONE", "zone"}});
    });
  }
}

}  // namespace fieldcrm::sync
