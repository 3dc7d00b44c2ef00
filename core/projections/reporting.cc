#include "fieldcrm/projections/reporting.h"

namespace fieldcrm {

namespace {

// The views of the contract (reporting.h), over core's tables. The unary + on kind keeps SQLite
// on the id, root and parent indexes: by kind it would read every customer.
// stage_moves names +field as the index log_stage_moves does (Store::IndexHistory): a head-office
// store then reads only the stage moves of the period from it (by log_by_field it read every
// stage write of the period, registrations included: 0.3 s at 120,000 customers, for none).
constexpr const char* kContractViews = R"sql(
CREATE TEMP VIEW stage_moves AS
  SELECT COALESCE(r.root, r.id) AS customer, json_extract(l.value, '$') AS stage, l.hlc AS hlc
  FROM main.log l JOIN main.records r ON r.id = l.record
  WHERE l.kind = 'customer' AND +l.field = 'stage' AND l.base <> 0;
CREATE TEMP VIEW survey_definitions AS
  SELECT json_extract(doc, '$.key') AS key, json_extract(doc, '$.definition') AS definition
  FROM main.records WHERE kind = 'survey';
CREATE TEMP VIEW survey_answers AS
  SELECT id, json_extract(doc, '$.answers') AS answers
  FROM main.records WHERE +kind = 'survey_response';
CREATE TEMP VIEW customer_records AS
  SELECT id, root, deleted, doc FROM main.records WHERE +kind = 'customer';
CREATE TEMP VIEW service_cases AS
  SELECT s.id, s.kind, COALESCE(c.root, c.id) AS customer,
         json_extract(s.doc, '$.category') AS category, json_extract(s.doc, '$.severity') AS severity,
         json_extract(s.doc, '$.channel') AS channel, json_extract(s.doc, '$.handler') AS handler,
         unixepoch(json_extract(s.doc, '$.opened_at')) * 1000 AS opened_ms,
         unixepoch(COALESCE(json_extract(s.doc, '$.answered_at'), json_extract(s.doc, '$.attended_at'),
                            json_extract(s.doc, '$.resolved_at'), json_extract(s.doc, '$.fixed_at'),
                            json_extract(s.doc, '$.closed_at'))) * 1000 AS first_ms,
         unixepoch(COALESCE(json_extract(s.doc, '$.resolved_at'), json_extract(s.doc, '$.fixed_at')))
           * 1000 AS resolved_ms,
         unixepoch(json_extract(s.doc, '$.closed_at')) * 1000 AS closed_ms,
         json_extract(s.doc, '$.satisfaction') AS satisfaction
  FROM main.records s JOIN main.records c ON c.id = s.parent
  WHERE s.kind IN ('complaint', 'repair') AND s.deleted = 0;
CREATE TEMP VIEW live_records AS
  SELECT kind, id, doc FROM main.records WHERE deleted = 0;
CREATE TEMP VIEW customer_children AS
  SELECT parent AS customer, kind, deleted FROM main.records WHERE parent IS NOT NULL;
)sql";

}  // namespace

ReportingConnection::ReportingConnection(const std::string& store_path)
    : db_(Database::OpenForReading(store_path)) {
  // A report reads the fact tables whole: with SQLite's default 2 MB cache every report fetched
  // them from the operating system again. 64 MB holds both (57 MB at the dashboard bench's
  // 120,000 customers).
  db_->Exec("PRAGMA cache_size = -65536");
  // Reports' temporary tables (a tier report's grades: a row per customer) and the b-trees
  // SQLite sorts and groups in are written to a file by default, page by page once past a 2 MB
  // cache: 120,000 grades took 0.3-0.5 s to insert that way.
  db_->Exec("PRAGMA temp_store = MEMORY");
  db_->Exec(kContractViews);
}

const std::vector<std::pair<std::string, sdk::CustomerFacts>>& ReportingConnection::FactsNow(
    const std::optional<std::string>& team) {
  // Read inside the caller's transaction, data_version is that of its snapshot.
  const int64_t version = db_->QueryInt("PRAGMA data_version").value_or(0);
  if (version != facts_version_) {
    facts_now_.clear();
    facts_version_ = version;
  }
  auto kept = facts_now_.find(team);
  if (kept == facts_now_.end()) {
    kept = facts_now_.emplace(team, LoadCustomerFacts(*db_, std::nullopt, team)).first;
  }
  return kept->second;
}

}  // namespace fieldcrm
