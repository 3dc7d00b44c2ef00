#include "fieldcrm/model/live_records.h"

#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

std::vector<json> Documents(Statement& stmt) {
  std::vector<json> out;
  while (stmt.Step()) out.push_back(json::parse(stmt.Text(0)));
  stmt.Reset();
  return out;
}

}  // namespace

std::vector<json> LiveRecords(Store& store, const std::string& kind) {
  Statement& stmt = StoreDatabase(store).Prepare(
      "SELECT doc FROM records WHERE kind = ? AND deleted = 0 ORDER BY id");
  stmt.Bind(kind);
  return Documents(stmt);
}

std::optional<json> LiveRecord(Store& store, const std::string& id, const std::string& kind) {
  auto doc = StoreDatabase(store).QueryText(
      "SELECT doc FROM records WHERE id = ? AND kind = ? AND deleted = 0", id, kind);
  if (!doc) return std::nullopt;
  return json::parse(*doc);
}

std::vector<json> LiveSurveyResponses(Store& store, const std::optional<std::string>& survey,
                                      const std::optional<std::string>& from,
                                      const std::optional<std::string>& to) {
  Statement& stmt = StoreDatabase(store).Prepare(
      "SELECT r.doc FROM records r JOIN records p ON p.id = r.parent "
      "JOIN records c ON c.id = COALESCE(p.root, p.id) "
      "WHERE r.kind = 'survey_response' AND r.deleted = 0 AND c.deleted = 0 "
      "AND (?1 IS NULL OR json_extract(r.doc, '$.survey') = ?1) "
      "AND (?2 IS NULL OR json_extract(r.doc, '$.at') >= ?2) "
      "AND (?3 IS NULL OR json_extract(r.doc, '$.at') < ?3) ORDER BY r.id");
  stmt.Bind(survey, from, to);
  return Documents(stmt);
}

}  // namespace fieldcrm
