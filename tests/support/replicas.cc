#include "tests/support/replicas.h"

#include <algorithm>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/merge.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm::testing {

std::vector<std::unique_ptr<Store>> ThreeTablets(const TempDir& dir) {
  std::vector<std::unique_ptr<Store>> tablets;
  for (int t = 0; t < 3; ++t) {
    tablets.push_back(CreateCustomerStore(dir.File("t" + std::to_string(t) + ".db"),
                                          {.name = "t" + std::to_string(t), .team = "滨江一组"}));
  }
  return tablets;
}

std::vector<std::string> SharedCustomers(const std::vector<std::unique_ptr<Store>>& tablets) {
  Customers first(*tablets[0]);
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(first
                      .Add({{"name", "客户" + std::to_string(i)},
                            {"phone", "1380000000" + std::to_string(i)}})
                      .id);
  }
  for (size_t t = 1; t < tablets.size(); ++t) Apply(*tablets[t], AllChanges(*tablets[0]));
  return ids;
}

std::vector<Change> AllChanges(Store& store) {
  std::vector<Change> out;
  for (auto& entry : store.ReadLog(0, 1'000'000)) out.push_back(std::move(entry.change));
  return out;
}

std::vector<Change> AllChanges(const std::vector<std::unique_ptr<Store>>& stores) {
  std::vector<Change> all;
  for (const auto& store : stores) {
    for (Change& c : AllChanges(*store)) all.push_back(std::move(c));
  }
  return all;
}

ApplyStats Apply(Store& store, const std::vector<Change>& changes) {
  Transaction txn(StoreDatabase(store));
  ApplyStats stats = ApplyChanges(store, changes);
  txn.Commit();
  return stats;
}

std::unique_ptr<Store> ShuffledReplica(const TempDir& dir, int index,
                                       const std::vector<Change>& all, std::mt19937& rng) {
  std::vector<Change> delivery = all;
  for (int d = 0; d < 40; ++d) delivery.push_back(all[rng() % all.size()]);
  std::shuffle(delivery.begin(), delivery.end(), rng);
  auto store = CreateCustomerStore(dir.File("r" + std::to_string(index) + ".db"), {.name = "r"});
  for (size_t at = 0; at < delivery.size();) {
    size_t size = std::min<size_t>(1 + rng() % 50, delivery.size() - at);
    Apply(*store, {delivery.begin() + static_cast<std::ptrdiff_t>(at),
                   delivery.begin() + static_cast<std::ptrdiff_t>(at + size)});
    at += size;
  }
  return store;
}

}  // namespace fieldcrm::testing
