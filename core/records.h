// The records table: a queryable copy of field_state, one row per record, rebuilt for every
// record a change touches. Customers merged into another ("_merged_into") resolve to the root of
// their alias chain, and a root's document combines its own fields with those of its aliases.
// Everything here is a pure function of field_state, so it is as order-independent as the merge.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/sqlite.h"

namespace fieldcrm {

// Reserved fields: the record tombstone and the customer alias link.
inline constexpr const char* kDeletedField = "_deleted";
inline constexpr const char* kMergedIntoField = "_merged_into";

// touched maps record id to kind. Appends the customer ids whose rows changed to customers.
void RebuildRecords(Database& db, const std::map<std::string, std::string>& touched,
                    std::vector<std::string>* customers);

// The root customer of id's alias chain (id itself when not merged). In a cycle of merges made
// concurrently on different devices, the smallest id of the cycle is the root.
std::string ResolveCustomerRoot(Database& db, const std::string& id);

}  // namespace fieldcrm
