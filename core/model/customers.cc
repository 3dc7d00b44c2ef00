#include "fieldcrm/model/customers.h"

#include <map>
#include <set>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/phone.h"
#include "fieldcrm/storage/records.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

json Presentable(const std::string& doc_text, int64_t updated_hlc) {
  json doc = json::parse(doc_text);
  doc["updated_at"] = FormatTime(HlcMillis(static_cast<Hlc>(updated_hlc)));
  return doc;
}

}  // namespace

FieldValues Customers::Parse(const FieldTexts& fields) {
  FieldValues values;
  for (const auto& [name, text] : fields) {
    if (name == "id" || name == "aliases" || name == "updated_at" || name.starts_with('_')) {
      throw InvalidInput("customer field '" + name +
                         "' is maintained by fieldcrm and cannot be set");
    }
    values.emplace_back(name, ParseCustomerField(name, text));
  }
  return values;
}

std::optional<std::string> Customers::IdByPhone(const std::string& e164) {
  return StoreDatabase(store_).QueryText(
      "SELECT id FROM records WHERE phone = ? AND kind = 'customer' AND deleted = 0 ORDER BY id "
      "LIMIT 1",
      e164);
}

AddedCustomer Customers::Add(const FieldTexts& fields) {
  return AddParsed(Parse(fields));
}

AddedCustomer Customers::AddParsed(FieldValues values) {
  std::vector<FieldValues> one;
  one.push_back(std::move(values));
  return AddParsedMany(std::move(one)).front();
}

std::vector<AddedCustomer> Customers::AddParsedMany(std::vector<FieldValues> customers) {
  std::vector<AddedCustomer> added;
  std::vector<Store::RecordFields> writes;
  std::map<std::string, std::string> new_by_phone;  // this batch's new customers
  const DeviceInfo& device = store_.device();
  Transaction txn = store_.Transact();
  for (FieldValues& values : customers) {
    auto has = [&](const char* name) {
      for (const auto& [field, value] : values) {
        if (field == name && !value.is_null()) return true;
      }
      return false;
    };
    if (!has("name")) throw InvalidInput("a customer needs a name (--name)");
    if (!has("phone")) throw InvalidInput("a customer needs a phone number (--phone)");
    std::string phone;
    for (const auto& [field, value] : values) {
      if (field == "phone") phone = value.get<std::string>();
    }
    if (auto existing = IdByPhone(phone)) {
      added.push_back({*existing, true});
      continue;
    }
    if (auto same = new_by_phone.find(phone); same != new_by_phone.end()) {
      added.push_back({same->second, true});
      continue;
    }
    if (!has("agent") && !device.agent.empty()) values.emplace_back("agent", device.agent);
    if (!has("team") && !device.team.empty()) values.emplace_back("team", device.team);
    if (!has("stage")) values.emplace_back("stage", "prospect");
    std::string id = store_.NewId();
    if (!has("created_at")) values.emplace_back("created_at", FormatTime(store_.env().NowMillis()));
    new_by_phone.emplace(phone, id);
    added.push_back({id, false});
    writes.push_back({std::move(id), std::move(values)});
  }
  if (!writes.empty()) store_.WriteRecords("customer", writes);
  txn.Commit();
  return added;
}

std::string Customers::RootOf(const std::string& id) {
  return ResolveCustomerRoot(StoreDatabase(store_), id);
}

std::string Customers::Resolve(const std::string& id) {
  std::string root = RootOf(id);
  auto deleted = StoreDatabase(store_).QueryInt(
      "SELECT deleted FROM records WHERE id = ? AND kind = 'customer'", root);
  if (!deleted) throw NotFound("no customer with id '" + id + "'");
  if (*deleted) throw NotFound("customer '" + id + "' has been deleted");
  return root;
}

std::vector<std::string> Customers::IdsOf(const std::string& root) {
  Statement& stmt =
      StoreDatabase(store_).Prepare("SELECT id FROM records WHERE root = ? ORDER BY id");
  stmt.Bind(root);
  std::vector<std::string> ids;
  while (stmt.Step()) ids.push_back(stmt.Text(0));
  stmt.Reset();
  return ids;
}

json Customers::Get(const std::string& id) {
  std::string root = Resolve(id);
  Statement& stmt =
      StoreDatabase(store_).Prepare("SELECT doc, updated_hlc FROM records WHERE id = ?");
  stmt.Bind(root);
  stmt.Step();
  json doc = Presentable(stmt.Text(0), stmt.Int(1));
  stmt.Reset();
  return doc;
}

void Customers::Set(const std::string& id, const FieldTexts& fields) {
  SetMany({{.where = "", .id = id, .phone = "", .fields = fields}});
}

namespace {

// Runs fn; an error it throws is thrown again with `where` in front (when there is one).
template <typename Fn>
auto NamingEdit(const std::string& where, Fn fn) {
  try {
    return fn();
  } catch (const InvalidInput& e) {
    if (where.empty()) throw;
    throw InvalidInput(where + ": " + e.what());
  } catch (const NotFound& e) {
    if (where.empty()) throw;
    throw NotFound(where + ": " + e.what());
  }
}

constexpr size_t kEditsPerWrite = 1000;

}  // namespace

std::vector<std::string> Customers::SetMany(const std::vector<CustomerEdit>& edits) {
  std::vector<std::string> roots;
  std::vector<Store::RecordFields> pending;
  auto write = [&] {
    if (!pending.empty()) store_.WriteRecords("customer", pending);
    pending.clear();
  };
  Transaction txn = store_.Transact();
  for (const CustomerEdit& edit : edits) {
    NamingEdit(edit.where, [&] {
      if (edit.fields.empty()) throw InvalidInput("nothing to set: give key=value pairs");
      FieldValues values = Parse(edit.fields);
      std::string root;
      if (!edit.id.empty()) {
        root = Resolve(edit.id);
      } else {
        auto owner = IdByPhone(NormalizePhone(edit.phone));
        if (!owner) throw NotFound("no customer with phone '" + edit.phone + "'");
        root = *owner;
      }
      for (const auto& [field, value] : values) {
        if (field != "phone") continue;
        write();  // the phones the edits before this one set count, as if each were a Set
        auto owner = IdByPhone(value.get<std::string>());
        if (owner && *owner != root) {
          throw InvalidInput("phone " + value.get<std::string>() + " already belongs to customer " +
                             *owner + " (merge them with 'customer merge')");
        }
      }
      roots.push_back(root);
      pending.push_back({std::move(root), std::move(values)});
    });
    if (pending.size() >= kEditsPerWrite) write();
  }
  write();
  txn.Commit();
  return roots;
}

void Customers::ForEachWindow(const Filter& filter,
                              const std::function<void(std::vector<json>&)>& visit) {
  // By the primary key from the last id on (+kind keeps SQLite off the kind index, which would
  // sort every customer for each window).
  Statement& stmt = StoreDatabase(store_).Prepare(
      "SELECT id, doc, updated_hlc FROM records WHERE +kind = 'customer' AND root = id "
      "AND deleted = 0 AND (?1 IS NULL OR stage = ?1) AND (?2 IS NULL OR team = ?2) "
      "AND (?3 IS NULL OR json_extract(doc, '$.agent') = ?3) AND id > ?4 ORDER BY id LIMIT ?5");
  std::vector<json> window;
  for (std::string after;; window.clear()) {
    stmt.Bind(filter.stage, filter.team, filter.agent, after, kListWindow);
    while (stmt.Step()) {
      after = stmt.Text(0);
      window.push_back(Presentable(stmt.Text(1), stmt.Int(2)));
    }
    stmt.Reset();
    auto read = static_cast<int64_t>(window.size());
    if (read == 0) return;
    visit(window);  // may drop some (a filter on tiers)
    if (read < kListWindow) return;
  }
}

std::vector<json> Customers::List(const Filter& filter) {
  std::vector<json> all;
  ForEachWindow(filter, [&all](std::vector<json>& window) {
    for (json& customer : window) all.push_back(std::move(customer));
  });
  return all;
}

std::optional<json> Customers::FindByPhone(const std::string& phone_text) {
  auto id = IdByPhone(NormalizePhone(phone_text));
  if (!id) return std::nullopt;
  return Get(*id);
}

std::string Customers::Merge(const std::string& keep, const std::string& drop) {
  Transaction txn = store_.Transact();
  std::string keep_root = Resolve(keep);
  std::string drop_root = Resolve(drop);
  if (keep_root == drop_root) {
    throw InvalidInput("'" + keep + "' and '" + drop + "' are already the same customer");
  }
  store_.Write("customer", drop_root, {{kMergedIntoField, keep_root}});
  txn.Commit();
  return keep_root;
}

void Customers::Delete(const std::string& id) {
  Transaction txn = store_.Transact();
  std::string root = Resolve(id);
  store_.Write("customer", root, {{kDeletedField, true}});
  txn.Commit();
}

int64_t MergeCustomersSharingPhone(Store& store, const std::vector<std::string>& customers) {
  // Live roots sharing each candidate's phone; roots alone carry a phone column, and the
  // smallest UUIDv7 is the earliest created.
  Statement& same_phone = StoreDatabase(store).Prepare(
      "SELECT other.id FROM records AS mine JOIN records AS other ON other.phone = mine.phone "
      "WHERE mine.id = ? AND other.kind = 'customer' AND other.deleted = 0 ORDER BY other.id");
  std::set<std::string> done;
  int64_t merged = 0;
  for (const std::string& id : customers) {
    if (done.count(id)) continue;
    std::vector<std::string> ids;
    same_phone.Bind(id);
    while (same_phone.Step()) ids.push_back(same_phone.Text(0));
    same_phone.Reset();
    done.insert(ids.begin(), ids.end());
    for (size_t i = 1; i < ids.size(); ++i) {
      store.Write("customer", ids[i], {{kMergedIntoField, ids[0]}});
      ++merged;
    }
  }
  return merged;
}

}  // namespace fieldcrm
