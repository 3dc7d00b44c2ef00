#include "core/records.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/hlc.h"

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

OwnFields LoadFields(Database& db, const std::string& id) {
  Statement& stmt = db.Prepare("SELECT field, value, hlc FROM field_state WHERE record = ?");
  stmt.Bind(id);
  OwnFields own;
  while (stmt.Step()) {
    own.exists = true;
    own.updated = std::max(own.updated, static_cast<Hlc>(stmt.Int(2)));
    if (stmt.IsNull(1)) continue;
    std::string field = stmt.Text(0);
    json value = json::parse(stmt.Text(1));
    if (field == kDeletedField) {
      own.deleted = value == true;
    } else if (field == kMergedIntoField) {
      if (value.is_string()) own.merged_into = value.get<std::string>();
    } else if (!field.starts_with('_')) {
      own.doc[field] = std::move(value);
    }
  }
  stmt.Reset();
  return own;
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

std::optional<std::string> ExistingKind(Database& db, const std::string& id) {
  return db.QueryText("SELECT kind FROM records WHERE id = ?", id);
}

void WriteRow(Database& db, const std::string& id, const std::string& kind,
              const std::optional<std::string>& parent, const std::optional<std::string>& root,
              const OwnFields& own, const json& doc, bool with_columns) {
  json out = doc;
  out["id"] = id;
  db.Prepare(
        "INSERT INTO records(id, kind, parent, root, deleted, phone, team, stage, updated_hlc, "
        "doc) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "parent = excluded.parent, root = excluded.root, deleted = excluded.deleted, "
        "phone = excluded.phone, team = excluded.team, stage = excluded.stage, "
        "updated_hlc = excluded.updated_hlc, doc = excluded.doc")
      .Bind(id, kind, parent, root, own.deleted ? 1 : 0,
            with_columns ? TextField(doc, "phone") : std::nullopt,
            with_columns ? TextField(doc, "team") : std::nullopt,
            with_columns ? TextField(doc, "stage") : std::nullopt, own.updated, out.dump())
      .Run();
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
void RebuildCustomer(Database& db, const std::string& id) {
  OwnFields own = LoadFields(db, id);
  if (!own.exists) return;  // known only as a merge target so far
  std::string root = ResolveCustomerRoot(db, id);
  if (root != id) {
    WriteRow(db, id, "customer", std::nullopt, root, own, own.doc, false);
    return;
  }
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
  WriteRow(db, id, "customer", std::nullopt, root, combined, doc, true);
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

void RebuildRecords(Database& db, const std::map<std::string, std::string>& touched,
                    std::vector<std::string>* customers) {
  std::set<std::string> affected;  // customers whose root may have moved
  for (const auto& [id, kind] : touched) {
    if (auto existing = ExistingKind(db, id); existing && *existing != kind) {
      throw InvalidInput("record " + id + " is a " + *existing + ", not a " + kind);
    }
    if (kind != "customer") {
      OwnFields own = LoadFields(db, id);
      auto parent = TextField(own.doc, "customer");
      if (!parent) parent = TextField(own.doc, "referee");
      WriteRow(db, id, kind, parent, std::nullopt, own, own.doc, false);
      continue;
    }
    affected.insert(id);
    // Everything that hung under this customer's old root, or under itself, may move with it.
    for (const std::string& holder : {StoredRoot(db, id).value_or(id), id}) {
      for (std::string& member : CustomersWithRoot(db, holder)) affected.insert(std::move(member));
    }
  }
  // First settle every affected row's root, then rebuild documents of the roots involved.
  std::set<std::string> rebuild = affected;
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
  for (const std::string& id : rebuild) RebuildCustomer(db, id);
  if (customers) customers->insert(customers->end(), rebuild.begin(), rebuild.end());
}

}  // namespace fieldcrm
