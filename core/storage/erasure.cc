#include "fieldcrm/storage/erasure.h"

#include <algorithm>
#include <set>
#include <vector>

#include "fieldcrm/storage/change.h"

namespace fieldcrm {
namespace {

// The links every replica needs to keep an erased record where it was: the tombstone, the alias
// link and the customer a record hangs under (records.cc reads the same two link fields).
constexpr const char* kAlwaysKeptFields[] = {kDeletedField, kMergedIntoField, "customer",
                                             "referee"};

bool Kept(const StoreHooks& hooks, const std::string& field) {
  return std::find(std::begin(kAlwaysKeptFields), std::end(kAlwaysKeptFields), field) !=
             std::end(kAlwaysKeptFields) ||
         std::find(hooks.erasure_kept_fields.begin(), hooks.erasure_kept_fields.end(), field) !=
             hooks.erasure_kept_fields.end();
}

// The kind is in the text, not bound: SQLite re-plans a statement whose bound value could change
// its choice of index, and this one runs with every write (an import's profile showed 9% of it
// spent re-preparing this query).
bool AnyErasure(Database& db) {
  static const std::string sql =
      std::string("SELECT EXISTS(SELECT 1 FROM records WHERE kind = '") + kErasureKind + "')";
  return db.QueryInt(sql).value_or(0) != 0;
}

// The root of a customer's alias group as the records table has it (the id while unknown).
std::string GroupOf(Database& db, const std::string& customer) {
  return db.QueryText("SELECT COALESCE(root, id) FROM records WHERE id = ?", customer)
      .value_or(customer);
}

// The group a record belongs to: a customer's own, that of the customer it hangs under, or, for
// a record under no customer (an unregistered walk-in), the record itself.
std::optional<std::string> GroupOfRecord(Database& db, const std::string& id) {
  Statement& stmt = db.Prepare("SELECT kind, root, parent FROM records WHERE id = ?");
  stmt.Bind(id);
  std::optional<std::string> customer;
  bool is_customer = false;
  if (stmt.Step()) {
    is_customer = stmt.Text(0) == "customer";
    customer = is_customer ? stmt.OptText(1).value_or(id) : stmt.OptText(2).value_or(id);
  }
  stmt.Reset();
  if (!customer || is_customer || *customer == id) return customer;
  return GroupOf(db, *customer);
}

struct Member {
  std::string id, kind;
};

// A group's customers (or its one record under no customer); the group's id is listed even
// before the store has it (an erasure may arrive before its customer).
std::vector<Member> GroupMembers(Database& db, const std::string& group) {
  Statement& stmt = db.Prepare(
      "SELECT id, kind FROM records WHERE root = ?1 AND kind = 'customer' UNION "
      "SELECT ?1, COALESCE((SELECT kind FROM records WHERE id = ?1), 'customer') ORDER BY 1");
  stmt.Bind(group);
  std::vector<Member> members;
  while (stmt.Step()) members.push_back({stmt.Text(0), stmt.Text(1)});
  stmt.Reset();
  return members;
}

bool GroupErased(Database& db, const std::string& group) {
  Statement& stmt = db.Prepare("SELECT 1 FROM records WHERE parent = ? AND kind = ?");
  for (const auto& [member, kind] : GroupMembers(db, group)) {
    stmt.Bind(member, kErasureKind);
    bool erased = stmt.Step();
    stmt.Reset();
    if (erased) return true;
  }
  return false;
}

// Rewrites one record's erasable values, in the log and in field_state, and drops its conflicts.
// Returns whether anything changed.
bool EraseRecord(Database& db, const StoreHooks& hooks, const std::string& id,
                 ErasureStats& stats) {
  Statement& logged = db.Prepare(
      "SELECT pos, field FROM log WHERE record = ? AND value IS NOT NULL AND value <> ?");
  std::vector<int64_t> positions;
  logged.Bind(id, kErasedValue);
  while (logged.Step()) {
    if (!Kept(hooks, logged.Text(1))) positions.push_back(logged.Int(0));
  }
  logged.Reset();
  Statement& rewrite = db.Prepare("UPDATE log SET value = ? WHERE pos = ?");
  for (int64_t pos : positions) rewrite.Bind(kErasedValue, pos).Run();

  std::vector<std::string> fields;
  Statement& state = db.Prepare(
      "SELECT field FROM field_state WHERE record = ? AND value IS NOT NULL AND value <> ?");
  state.Bind(id, kErasedValue);
  while (state.Step()) {
    if (!Kept(hooks, state.Text(0))) fields.push_back(state.Text(0));
  }
  state.Reset();
  Statement& rewrite_state =
      db.Prepare("UPDATE field_state SET value = ? WHERE record = ? AND field = ?");
  for (const std::string& field : fields) rewrite_state.Bind(kErasedValue, id, field).Run();

  db.Prepare("DELETE FROM conflicts WHERE record = ?").Bind(id).Run();
  int64_t conflicts = db.Changes();
  stats.log_entries += static_cast<int64_t>(positions.size());
  stats.conflicts += conflicts;
  bool changed = !positions.empty() || !fields.empty() || conflicts > 0;
  if (changed) ++stats.records;
  return changed;
}

// Erases a whole group: its customers (or its record) and everything hanging under them but
// erasure records.
void EraseGroup(Database& db, const StoreHooks& hooks, const std::string& group,
                std::map<std::string, TouchedRecord>& rewritten, ErasureStats& stats) {
  std::vector<std::pair<std::string, std::string>> records;  // id, kind
  Statement& children =
      db.Prepare("SELECT id, kind FROM records WHERE parent = ? AND kind <> ? ORDER BY id");
  for (const auto& [member, kind] : GroupMembers(db, group)) {
    records.emplace_back(member, kind);
    children.Bind(member, kErasureKind);
    while (children.Step()) records.emplace_back(children.Text(0), children.Text(1));
    children.Reset();
  }
  for (const auto& [id, kind] : records) {
    if (rewritten.contains(id) || !EraseRecord(db, hooks, id, stats)) continue;
    rewritten[id] = TouchedRecord{kind, LoadFieldWrites(db, id)};
  }
}

}  // namespace

ErasureStats ApplyErasures(Database& db, const StoreHooks& hooks,
                           const std::map<std::string, TouchedRecord>& touched) {
  ErasureStats stats;
  if (touched.empty() || !AnyErasure(db)) return stats;
  std::set<std::string> checked;  // groups already looked at
  std::map<std::string, TouchedRecord> rewritten;
  for (const auto& [id, record] : touched) {
    bool instruction = record.kind == kErasureKind;
    if (instruction) ++stats.instructions;
    std::optional<std::string> group = GroupOfRecord(db, id);
    if (!group || !checked.insert(*group).second) continue;
    if (instruction || GroupErased(db, *group)) EraseGroup(db, hooks, *group, rewritten, stats);
  }
  // The rows of rewritten records lose their values and become tombstones; their facts go.
  if (!rewritten.empty()) RebuildRecords(db, hooks, rewritten, nullptr);
  return stats;
}

bool IsErasedCustomer(Database& db, const std::string& customer) {
  return GroupErased(db, GroupOf(db, customer));
}

}  // namespace fieldcrm
