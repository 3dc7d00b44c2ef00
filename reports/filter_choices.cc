#include "fieldcrm/reports/filter_choices.h"

#include "fieldcrm/base/error.h"

namespace fieldcrm::reports {

using nlohmann::json;

namespace {

// How many names the error lists before "…": enough for teams, short for 200 agents.
constexpr size_t kNamesInMessage = 12;

// One picker's list: rows of (column, customers[, team]) as JSON, from SQL over customer_facts.
json ChoiceRows(Database& db, const std::string& sql, const std::optional<std::string>& team) {
  Statement& stmt = db.Prepare(sql);
  stmt.Bind(team);
  stmt.Step();
  json rows = json::parse(stmt.Text(0));
  stmt.Reset();
  return rows;
}

// Within only_team when set: an agent or project of another team is as unknown as a typo.
void RequireKnown(Database& db, const char* column, const std::optional<std::string>& value,
                  const std::optional<std::string>& only_team = std::nullopt) {
  if (!value) return;
  const std::string col(column);
  const std::string in_team = " AND (?2 IS NULL OR team = ?2)";
  Statement& exists =
      db.Prepare("SELECT 1 FROM customer_facts WHERE " + col + " = ?1" + in_team + " LIMIT 1");
  exists.Bind(*value, only_team);
  bool known = exists.Step();
  exists.Reset();
  if (known) return;
  Statement& names = db.Prepare("SELECT DISTINCT " + col + " FROM customer_facts WHERE " + col +
                                " IS NOT NULL AND " + col + " <> ''" + in_team +
                                " ORDER BY 1 LIMIT " + std::to_string(kNamesInMessage + 1));
  names.Bind(nullptr, only_team);
  std::string known_names;
  size_t n = 0;
  while (names.Step()) {
    if (++n > kNamesInMessage) {
      known_names += ", …";
      break;
    }
    known_names += (known_names.empty() ? "" : ", ") + names.Text(0);
  }
  names.Reset();
  std::string where = only_team ? " of team " + *only_team : "";
  throw NotFound("no " + col + " '" + *value + "' among the customers" + where + " here; " +
                 (known_names.empty() ? "there are none" : "the " + col + "s are: " + known_names));
}

}  // namespace

json FilterChoices(ReportingConnection& reporting, const std::optional<std::string>& only_team) {
  Database& db = reporting.db();
  Transaction txn(db);
  const std::string scope = " FROM customer_facts WHERE (?1 IS NULL OR team = ?1)";
  json out = {
      {"teams", ChoiceRows(db,
                           "SELECT json_group_array(json_object('team', team, 'customers', n)) "
                           "FROM (SELECT team, count(*) AS n" +
                               scope + " GROUP BY team ORDER BY team)",
                           only_team)},
      {"agents", ChoiceRows(db,
                            "SELECT json_group_array(json_object('agent', agent, 'team', team, "
                            "'customers', n)) FROM (SELECT agent, team, count(*) AS n" +
                                scope + " GROUP BY agent, team ORDER BY team, agent)",
                            only_team)},
      {"projects", ChoiceRows(db,
                              "SELECT json_group_array(json_object('project', project, "
                              "'customers', n)) FROM (SELECT project, count(*) AS n" +
                                  scope +
                                  " AND project IS NOT NULL AND project <> '' GROUP BY project "
                                  "ORDER BY project)",
                              only_team)},
  };
  txn.Commit();
  return out;
}

void RequireKnownNames(ReportingConnection& reporting, const ReportFilter& filter) {
  Database& db = reporting.db();
  RequireKnown(db, "team", filter.team);
  RequireKnown(db, "agent", filter.agent, filter.team);
  RequireKnown(db, "project", filter.project, filter.team);
}

}  // namespace fieldcrm::reports
