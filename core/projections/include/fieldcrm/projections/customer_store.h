// Opening a store the way every fieldcrm program does: with the customer model's hooks (indexed
// fields, the phone as identity, merging customers that share a phone after remote changes) and
// the fact tables kept in step with every records write (fieldcrm/projections/facts.h).
#pragma once

#include <memory>
#include <string>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// The hooks, one set for the whole process.
const StoreHooks& CustomerStoreHooks();

// Store::Create and Store::Open with CustomerStoreHooks().
std::unique_ptr<Store> CreateCustomerStore(const std::string& path, DeviceInfo device,
                                           const Env& env = Env::Default());
std::unique_ptr<Store> OpenCustomerStore(const std::string& path, const Env& env = Env::Default());

}  // namespace fieldcrm
