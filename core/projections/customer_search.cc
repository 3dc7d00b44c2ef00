#include "fieldcrm/projections/customer_search.h"

#include <algorithm>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

namespace {

// The greatest UTF-8 character: text + kTop bounds every text that starts with it.
constexpr const char* kTop = "\xF4\x8F\xBF\xBF";

bool AllDigits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> Ids(Statement& stmt) {
  std::vector<std::string> ids;
  while (stmt.Step()) ids.push_back(stmt.Text(0));
  stmt.Reset();
  return ids;
}

std::vector<std::string> ByPhoneEnd(Database& db, const CustomerQuery& query) {
  if (query.text.size() < 4) {
    throw InvalidInput("search a phone by at least its last 4 digits, got '" + query.text + "'");
  }
  Statement& stmt = db.Prepare(
      "SELECT id FROM records WHERE kind = 'customer' AND substr(phone, -4) = ?1 "
      "AND root = id AND deleted = 0 AND phone LIKE '%' || ?2 AND (?3 IS NULL OR stage = ?3) "
      "ORDER BY id LIMIT ?4");
  stmt.Bind(query.text.substr(query.text.size() - 4), query.text, query.stage, query.limit);
  return Ids(stmt);
}

std::vector<std::string> ByName(Database& db, const CustomerQuery& query) {
  // Names that start with the text come first (an index range), then those containing it.
  Statement& starts = db.Prepare(
      "SELECT id FROM customer_facts WHERE name >= ?1 AND name < ?1 || ?2 "
      "AND (?3 IS NULL OR stage = ?3) ORDER BY name, id LIMIT ?4");
  starts.Bind(query.text, kTop, query.stage, query.limit);
  std::vector<std::string> ids = Ids(starts);
  if (static_cast<int>(ids.size()) >= query.limit) return ids;
  // Without a stage the name index alone answers; "(?2 IS NULL OR stage = ?2)" would read every
  // customer's row for its stage (0.33 s instead of 0.02 s at 100,000 customers).
  Statement& contains =
      query.stage ? db.Prepare(
                        "SELECT id FROM customer_facts WHERE instr(name, ?1) > 1 AND stage = ?2 "
                        "ORDER BY name, id LIMIT ?3")
                  : db.Prepare(
                        "SELECT id FROM customer_facts WHERE instr(name, ?1) > 1 AND ?2 IS NULL "
                        "ORDER BY name, id LIMIT ?3");
  contains.Bind(query.text, query.stage, query.limit - static_cast<int>(ids.size()));
  for (std::string& id : Ids(contains)) ids.push_back(std::move(id));
  return ids;
}

std::vector<std::string> ByStage(Database& db, const CustomerQuery& query) {
  // Newest first: with a stage along the (kind, stage, id) index; without, along the ids ("+kind"
  // keeps SQLite off the kind index, whose rows it would all read and sort).
  Statement& stmt = query.stage
                        ? db.Prepare(
                              "SELECT id FROM records WHERE kind = 'customer' AND stage = ?1 "
                              "AND root = id AND deleted = 0 ORDER BY id DESC LIMIT ?2")
                        : db.Prepare(
                              "SELECT id FROM records WHERE +kind = 'customer' AND ?1 IS NULL "
                              "AND root = id AND deleted = 0 ORDER BY id DESC LIMIT ?2");
  stmt.Bind(query.stage, query.limit);
  return Ids(stmt);
}

}  // namespace

std::vector<std::string> SearchCustomers(Store& store, const CustomerQuery& query) {
  Database& db = StoreDatabase(store);
  if (query.limit <= 0) return {};
  if (query.text.empty()) return ByStage(db, query);
  return AllDigits(query.text) ? ByPhoneEnd(db, query) : ByName(db, query);
}

std::vector<std::string> CustomersByPhonePrefix(Store& store, const std::string& digits,
                                                int limit) {
  Database& db = StoreDatabase(store);
  if (!AllDigits(digits) || digits.size() < 3) return {};
  // Typed without a country code (the usual case) the number is Chinese: +86 then the digits.
  // Read along the phone index ("+kind" keeps SQLite off the kind index).
  std::string prefix =
      digits.starts_with("86") && digits.size() > 11 ? "+" + digits : "+86" + digits;
  Statement& stmt = db.Prepare(
      "SELECT id FROM records WHERE phone >= ?1 AND phone < ?1 || ?2 AND +kind = 'customer' "
      "AND root = id AND deleted = 0 ORDER BY phone LIMIT ?3");
  stmt.Bind(prefix, kTop, limit);
  return Ids(stmt);
}

}  // namespace fieldcrm
