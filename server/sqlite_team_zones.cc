// Each team's time zone, in the server's own table team_zones (server schema step 7).
#include "fieldcrm/base/error.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::sync {

void SqliteServerStorage::SetTeamZone(const std::string& team, const TimeZone& zone) {
  if (team.empty()) throw InvalidInput("name the team whose time zone this is");
  std::lock_guard lock(mutex_);
  tables_->Run(
      "INSERT INTO team_zones(team, zone, set_at) VALUES(?, ?, ?) "
      "ON CONFLICT(team) DO UPDATE SET zone = excluded.zone, set_at = excluded.set_at",
      team, zone.name(), env().NowIso());
}

std::map<std::string, std::string> SqliteServerStorage::TeamZones() {
  std::lock_guard lock(mutex_);
  TableRows rows = tables_->Query("SELECT team, zone FROM team_zones");
  std::map<std::string, std::string> zones;
  for (size_t r = 0; r < rows.size(); ++r) zones[rows.Text(r, 0)] = rows.Text(r, 1);
  return zones;
}

TimeZone SqliteServerStorage::ZoneOf(const std::optional<std::string>& team) {
  if (team) {
    std::lock_guard lock(mutex_);
    TableRows zone = tables_->Query("SELECT zone FROM team_zones WHERE team = ?", *team);
    if (!zone.empty()) return TimeZone::Named(zone.Text(0, 0));
  }
  return TimeZone::Default();
}

}  // namespace fieldcrm::sync
