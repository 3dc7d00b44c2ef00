#include "fieldcrm/storage/records.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "fieldcrm/base/error.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

struct OwnFields {
  json doc = json::object();  // public fields only
  bool exists = false;
  bool deleted = false;
  std::optional<std::string> merged_into;
  Hlc updated = 0;
};

OwnFields Summarise(const FieldWrites& fields) {
  OwnFields own;
  own.exists = !fields.empty();
  for (const auto& [field, write] : fields) {
    own.updated = std::max(own.updated, write.hlc);
    if (!write.value) continue;
    if (*write.value == kErasedValue) {
      own.deleted = true;  // an erased record is gone; its erased values show nowhere
      continue;
    }
    json value = json::parse(*write.value);
    if (field == kDeletedField) {
      own.deleted = value == true;
    } else if (field == kMergedIntoField) {
      if (value.is_string()) own.merged_into = value.get<std::string>();
    } else if (!field.starts_with('_')) {
      own.doc[field] = std::move(value);
    }
  }
  return own;
}

OwnFields LoadFields(Database& db, const std::string& id) {
  return Summarise(LoadFieldWrites(db, id));
}

std::optional<std::string> MergedInto(Database& db, const std::string& id) {
  auto text =
      db.QueryText("SELECT value FROM field_state WHERE record = ? AND field = '_merged_into'", id);
  if (!text) return std::nullopt;
  json value = json::parse(*text);
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

std::optional<std::string> TextField(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

struct ExistingRow {
  std::string kind;
  std::optional<std::string> root;
};

std::optional<ExistingRow> Existing(Database& db, const std::string& id) {
  Statement& stmt = db.Prepare("SELECT kind, root FROM records WHERE id = ?");
  stmt.Bind(id);
  std::optional<ExistingRow> row;
  if (stmt.Step()) row = ExistingRow{stmt.Text(0), stmt.OptText(1)};
  stmt.Reset();
  return row;
}

// The value of the document field behind indexed column i (roots only carry them).
std::optional<std::string> IndexedValue(const StoreHooks& hooks, const json& doc, size_t i) {
  const char* field = hooks.indexed_fields[i];
  return field ? TextField(doc, field) : std::nullopt;
}

void NotifyObserver(Database& db, const StoreHooks& hooks, const std::string& id,
                    const std::string& kind, const std::optional<std::string>& parent,
                    const std::optional<std::string>& root, bool deleted, const json& doc) {
  if (hooks.observer) hooks.observer->RecordWritten(db, {id, kind, parent, root, deleted, doc});
}

void WriteRow(Database& db, const StoreHooks& hooks, const std::string& id, const std::string& kind,
              const std::optional<std::string>& parent, const std::optional<std::string>& root,
              const OwnFields& own, const json& doc, bool with_columns) {
  json out = doc;
  out["id"] = id;
  // The schema names the indexed columns phone, team and stage (store_hooks.h).
  auto column = [&](size_t i) { return with_columns ? IndexedValue(hooks, doc, i) : std::nullopt; };
  db.Prepare(
        "INSERT INTO records(id, kind, parent, root, deleted, phone, team, stage, updated_hlc, "
        "doc) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "parent = excluded.parent, root = excluded.root, deleted = excluded.deleted, "
        "phone = excluded.phone, team = excluded.team, stage = excluded.stage, "
        "updated_hlc = excluded.updated_hlc, doc = excluded.doc")
      .Bind(id, kind, parent, root, own.deleted ? 1 : 0, column(0), column(1), column(2),
            own.updated, out.dump())
      .Run();
  NotifyObserver(db, hooks, id, kind, parent, root, own.deleted, doc);
}

std::vector<std::string> CustomersWithRoot(Database& db, const std::string& root) {
  Statement& stmt =
      db.Prepare("SELECT id FROM records WHERE root = ? AND kind = 'customer' ORDER BY id");
  stmt.Bind(root);
  std::vector<std::string> ids;
  while (stmt.Step()) ids.push_back(stmt.Text(0));
  stmt.Reset();
  return ids;
}

std::optional<std::string> StoredRoot(Database& db, const std::string& id) {
  return db.QueryText("SELECT root FROM records WHERE id = ?", id);
}

// A root's document: its own fields, then, for fields it lacks, those of its live aliases in id
// (creation) order. Aliases are listed so that old ids still lead people to the record.
void WriteRootCustomer(Database& db, const StoreHooks& hooks, const std::string& id,
                       const OwnFields& own) {
  json doc = own.doc;
  json aliases = json::array();
  OwnFields combined = own;
  for (const std::string& member : CustomersWithRoot(db, id)) {
    if (member == id) continue;
    aliases.push_back(member);
    OwnFields other = LoadFields(db, member);
    combined.updated = std::max(combined.updated, other.updated);
    if (other.deleted) continue;
    for (auto& [field, value] : other.doc.items()) {
      if (!doc.contains(field)) doc[field] = value;
    }
  }
  if (!aliases.empty()) doc["aliases"] = aliases;
  WriteRow(db, hooks, id, "customer", std::nullopt, id, combined, doc, true);
}

void RebuildCustomer(Database& db, const StoreHooks& hooks, const std::string& id) {
  OwnFields own = LoadFields(db, id);
  if (!own.exists) {
    // Known only as a merge target so far: its placeholder row may have a new root to pass on.
    if (auto root = StoredRoot(db, id)) {
      NotifyObserver(db, hooks, id, "customer", std::nullopt, *root, false, json::object());
    }
    return;
  }
  std::string root = ResolveCustomerRoot(db, id);
  if (root != id) {
    WriteRow(db, hooks, id, "customer", std::nullopt, root, own, own.doc, false);
  } else {
    WriteRootCustomer(db, hooks, id, own);
  }
}

}  // namespace

std::string ResolveCustomerRoot(Database& db, const std::string& id) {
  std::vector<std::string> path{id};
  while (auto target = MergedInto(db, path.back())) {
    auto seen = std::find(path.begin(), path.end(), *target);
    if (seen != path.end()) return *std::min_element(seen, path.end());
    path.push_back(*target);
  }
  return path.back();
}

FieldWrites LoadFieldWrites(Database& db, const std::string& record) {
  Statement& stmt =
      db.Prepare("SELECT field, value, hlc, device, base FROM field_state WHERE record = ?");
  stmt.Bind(record);
  FieldWrites fields;
  while (stmt.Step()) {
    fields.emplace(stmt.Text(0), FieldWrite{stmt.OptText(1), static_cast<Hlc>(stmt.Int(2)),
                                            stmt.Text(3), static_cast<Hlc>(stmt.Int(4))});
  }
  stmt.Reset();
  return fields;
}

void RebuildRecords(Database& db, const StoreHooks& hooks,
                    const std::map<std::string, TouchedRecord>& touched,
                    std::vector<std::string>* identity_changed) {
  std::set<std::string> affected;  // customers whose root may have moved
  std::set<std::string> rebuild;   // customers whose documents must be rebuilt from the store
  for (const auto& [id, record] : touched) {
    auto existing = Existing(db, id);
    if (existing && existing->kind != record.kind) {
      throw InvalidInput("record " + id + " is a " + existing->kind + ", not a " + record.kind);
    }
    OwnFields own = Summarise(record.fields);
    if (record.kind != "customer") {
      auto parent = TextField(own.doc, "customer");
      if (!parent) parent = TextField(own.doc, "referee");
      WriteRow(db, hooks, id, record.kind, parent, std::nullopt, own, own.doc, false);
      continue;
    }
    if (!record.links_changed) {
      // The common case: plain field edits leave every root where it was.
      std::string root = existing && existing->root ? *existing->root : id;
      if (root == id) {
        WriteRootCustomer(db, hooks, id, own);
      } else {
        WriteRow(db, hooks, id, "customer", std::nullopt, root, own, own.doc, false);
        rebuild.insert(root);  // the alias's fields fill gaps in its root's document
      }
      if (record.identity_changed && identity_changed) identity_changed->push_back(id);
      continue;
    }
    affected.insert(id);
    // Everything that hung under this customer's old root, or under itself, may move with it.
    std::string old_root = existing && existing->root ? *existing->root : id;
    for (const std::string& holder : {old_root, id}) {
      for (std::string& member : CustomersWithRoot(db, holder)) affected.insert(std::move(member));
    }
  }
  // First settle every affected row's root, then rebuild documents of the roots involved.
  rebuild.insert(affected.begin(), affected.end());
  for (const std::string& id : affected) {
    if (auto old_root = StoredRoot(db, id)) rebuild.insert(*old_root);
    std::string root = ResolveCustomerRoot(db, id);
    rebuild.insert(root);
    db.Prepare(
          "INSERT INTO records(id, kind, root, updated_hlc, doc) VALUES(?, 'customer', ?, 0, '{}') "
          "ON CONFLICT(id) DO UPDATE SET root = excluded.root")
        .Bind(id, root)
        .Run();
  }
  for (const std::string& id : rebuild) RebuildCustomer(db, hooks, id);
  if (identity_changed)
    identity_changed->insert(identity_changed->end(), rebuild.begin(), rebuild.end());
}

}  // namespace fieldcrm
