#include "fieldcrm/projections/reporting.h"

namespace fieldcrm {

namespace {

// The views of the contract (reporting.h), over core's tables. The unary + on kind keeps SQLite
// on the id, root and parent indexes: by kind it would read every customer.
constexpr const char* kContractViews = R"sql(
CREATE TEMP VIEW stage_moves AS
  SELECT COALESCE(r.root, r.id) AS customer, json_extract(l.value, '$') AS stage, l.hlc AS hlc
  FROM main.log l JOIN main.records r ON r.id = l.record
  WHERE l.kind = 'customer' AND l.field = 'stage' AND l.base <> 0;
CREATE TEMP VIEW survey_definitions AS
  SELECT json_extract(doc, '$.key') AS key, json_extract(doc, '$.definition') AS definition
  FROM main.records WHERE kind = 'survey';
CREATE TEMP VIEW survey_answers AS
  SELECT id, json_extract(doc, '$.answers') AS answers
  FROM main.records WHERE +kind = 'survey_response';
CREATE TEMP VIEW customer_records AS
  SELECT id, root, deleted, doc FROM main.records WHERE +kind = 'customer';
CREATE TEMP VIEW customer_children AS
  SELECT parent AS customer, kind, deleted FROM main.records WHERE parent IS NOT NULL;
)sql";

}  // namespace

ReportingConnection::ReportingConnection(const std::string& store_path)
    : db_(Database::OpenForReading(store_path)) {
  db_->Exec(kContractViews);
}

}  // namespace fieldcrm
