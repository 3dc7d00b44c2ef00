// The records table: a queryable copy of field_state, one row per record, rebuilt for every
// record a change touches. Customers merged into another ("_merged_into") resolve to the root of
// their alias chain, and a root's document combines its own fields with those of its aliases.
// Everything here is a pure function of field_state, so it is as order-independent as the merge.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/sqlite.h"
#include "fieldcrm/storage/store_hooks.h"

namespace fieldcrm {

// The winning write of one field, as field_state holds it.
struct FieldWrite {
  std::optional<std::string> value;  // canonical JSON; nullopt: removed
  Hlc hlc = 0;
  std::string device;
  Hlc base = 0;
};
using FieldWrites = std::map<std::string, FieldWrite>;  // by field name

FieldWrites LoadFieldWrites(Database& db, const std::string& record);

// A record a batch of changes touched, with all its fields as the merge left them (so that the
// rebuild need not read them back).
struct TouchedRecord {
  std::string kind;
  FieldWrites fields;
  bool links_changed = false;     // a change of _merged_into was applied: roots may move
  bool identity_changed = false;  // a change of an identity field or of _deleted was applied
};

// Rebuilds the rows of the touched records (by id), and of every customer whose root or combined
// document they affect, filling the indexed columns and telling the observer as hooks say.
// Appends to identity_changed the customers whose identity fields, tombstone or root may have
// changed.
void RebuildRecords(Database& db, const StoreHooks& hooks,
                    const std::map<std::string, TouchedRecord>& touched,
                    std::vector<std::string>* identity_changed);

// The root customer of id's alias chain (id itself when not merged). In a cycle of merges made
// concurrently on different devices, the smallest id of the cycle is the root.
std::string ResolveCustomerRoot(Database& db, const std::string& id);

}  // namespace fieldcrm
