// Customer operations on a store: add (deduplicated by phone), read, edit, find, merge, delete.
// Each one is a Write of fields, so it lands in the change log and syncs.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// field name -> text as typed; parsed and validated by ParseCustomerField.
using FieldTexts = std::vector<std::pair<std::string, std::string>>;

// One customer's edit in a batch (Customers::SetMany): the customer by id, or by phone (any
// spelling) when id is empty; an empty text clears a field, as in Set.
struct CustomerEdit {
  std::string where;  // how an error names the edit ("line 7"); "" for a single edit
  std::string id;
  std::string phone;
  FieldTexts fields;
};

struct AddedCustomer {
  std::string id;
  bool existed = false;  // a customer with this phone was already on the store
};

// What the customer model tells storage (StoreHooks): the fields behind the records table's
// indexed columns, and the field that identifies a customer (two live customers with the same
// phone are one person, docs/merge-rules.md).
inline constexpr std::array<const char*, 3> kCustomerIndexedFields = {"phone", "team", "stage"};
inline constexpr const char* kCustomerIdentityField = "phone";

// Merges the live customers sharing a phone with one of `customers` into the earliest-created
// of them, by writing alias links (Store::Write); returns how many it merged. Store::ApplyRemote
// runs it after every batch of remote changes (StoreHooks::merge_duplicates).
int64_t MergeCustomersSharingPhone(Store& store, const std::vector<std::string>& customers);

class Customers {
 public:
  explicit Customers(Store& store) : store_(store) {}

  // Requires name and phone. When the normalised phone is already on this replica, returns that
  // customer and writes nothing.
  AddedCustomer Add(const FieldTexts& fields);
  // Add of fields already parsed by Parse (an import validates every row before writing any).
  AddedCustomer AddParsed(FieldValues values);
  // AddParsed of many customers in one write (Store::WriteRecords), one result per customer in
  // order; a phone repeated within the batch is the first one's customer.
  std::vector<AddedCustomer> AddParsedMany(std::vector<FieldValues> customers);
  // The typed values of fields as typed (ParseCustomerField); refuses the fields fieldcrm
  // maintains itself. Throws InvalidInput.
  static FieldValues Parse(const FieldTexts& fields);
  // The customer's document; an id merged away resolves to the surviving customer.
  nlohmann::json Get(const std::string& id);
  void Set(const std::string& id, const FieldTexts& fields);
  // Set of each edit in order, all in one transaction and written a thousand customers per merge
  // (Store::WriteRecords): all or nothing. The first bad edit (unknown customer, bad value, a
  // phone another customer holds) throws InvalidInput or NotFound prefixed with its `where`, and
  // nothing is written. Returns the customers written (roots), one per edit.
  std::vector<std::string> SetMany(const std::vector<CustomerEdit>& edits);
  struct Filter {
    std::optional<std::string> stage{};
    std::optional<std::string> team{};
    std::optional<std::string> agent{};
  };
  // The live customers matching filter in id order, handed to `visit` a window of at most
  // kListWindow at a time (ids in a window run from its first to its last), so a listing holds
  // one window whatever the store's size.
  static constexpr int64_t kListWindow = 1000;
  void ForEachWindow(const Filter& filter,
                     const std::function<void(std::vector<nlohmann::json>&)>& visit);
  // Every window at once: for what knows its store small (tests, a benchmark's set-up).
  std::vector<nlohmann::json> List(const Filter& filter);
  std::optional<nlohmann::json> FindByPhone(const std::string& phone_text);
  // Folds drop into keep: keep's values win, drop's fill the gaps, drop's history follows, and
  // drop's id becomes an alias of keep. Returns keep's resolved id.
  std::string Merge(const std::string& keep, const std::string& drop);
  void Delete(const std::string& id);

  // The surviving (root) id for id; throws NotFound for unknown or deleted customers.
  std::string Resolve(const std::string& id);
  // The root of id's alias chain, whether deleted or not (id itself when not merged).
  std::string RootOf(const std::string& id);
  // Every id that resolves to root: root itself and its aliases (for histories).
  std::vector<std::string> IdsOf(const std::string& root);

 private:
  std::optional<std::string> IdByPhone(const std::string& e164);

  Store& store_;
};

}  // namespace fieldcrm
