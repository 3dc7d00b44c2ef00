// Each team's time zone, in the server's own table team_zones (server schema step 7).
#include "fieldcrm/base/error.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

void SqliteServerStorage::SetTeamZone(const std::string& team, const TimeZone& zone) {
  if (team.empty()) throw InvalidInput("name the team whose time zone this is");
  std::lock_guard lock(mutex_);
  store_->OwnTablesConnection()
      .Prepare("INSERT OR REPLACE INTO team_zones(team, zone, set_at) VALUES(?, ?, ?)")
      .Bind(team, zone.name(), env().NowIso())
      .Run();
}

std::map<std::string, std::string> SqliteServerStorage::TeamZones() {
  std::lock_guard lock(mutex_);
  Statement& stmt = store_->OwnTablesConnection().Prepare("SELECT team, zone FROM team_zones");
  std::map<std::string, std::string> zones;
  while (stmt.Step()) zones[stmt.Text(0)] = stmt.Text(1);
  stmt.Reset();
  return zones;
}

TimeZone SqliteServerStorage::ZoneOf(const std::optional<std::string>& team) {
  if (team) {
    std::lock_guard lock(mutex_);
    Statement& stmt =
        store_->OwnTablesConnection().Prepare("SELECT zone FROM team_zones WHERE team = ?");
    stmt.Bind(*team);
    std::optional<std::string> zone;
    if (stmt.Step()) zone = stmt.Text(0);
    stmt.Reset();
    if (zone) return TimeZone::Named(*zone);
  }
  return TimeZone::Default();
}

}  // namespace fieldcrm::sync
