// What the layers above plug into a store. Storage itself knows records, fields, the change log
// and alias chains, not what a customer's phone, team or stage mean nor which tables are derived
// from the records: the model and the projections say so here, and every Store is opened with
// their hooks (fieldcrm/projections/customer_store.h assembles them).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

class Store;

// One row of the records table as it was just written.
struct RecordRow {
  const std::string& id;
  const std::string& kind;
  const std::optional<std::string>& parent;  // the record it hangs under
  const std::optional<std::string>& root;    // a customer's surviving root
  bool deleted;
  const nlohmann::json& doc;  // its public fields (without "id")
};

// Tables derived from the records (the fact tables), kept in step with every records row write,
// inside the transaction of that write.
class RecordObserver {
 public:
  virtual ~RecordObserver() = default;
  virtual void RecordWritten(Database& db, const RecordRow& row) = 0;
  // The derived tables' schema: the SQL of the store's schema step that creates them (version
  // 3), and how to fill them from the records table after it ran.
  virtual const char* SchemaSql() const = 0;
  virtual void RebuildAll(Database& db) = 0;
};

struct StoreHooks {
  // Document fields copied into the records table's three indexed columns (for lookups and
  // filters). The columns are named phone, team and stage in the schema (version 1) and keep
  // those names, which spares large stores a migration; storage's code treats them as the first,
  // second and third indexed column.
  std::array<const char*, 3> indexed_fields{};
  // Fields whose change can make a record a duplicate of another (besides the tombstone and the
  // alias link): such records are reported in ApplyStats::identity_changed.
  std::vector<std::string> identity_fields;
  RecordObserver* observer = nullptr;
  // Runs in the transaction of every batch of remote changes (Store::ApplyRemote), after them:
  // merges the records that have become duplicates (through Store::Write, the one merge path)
  // and returns how many it merged.
  std::function<int64_t(Store& store, const std::vector<std::string>& identity_changed)>
      merge_duplicates;
  // Fields an erasure leaves in place besides the reserved ones (_deleted, _merged_into) and the
  // links to the customer a record hangs under (customer, referee): ids and scope that carry
  // nothing personal but keep the erased records where they were (a customer's team, which
  // scopes sync). Every other value of an erased record becomes kErasedValue (change.h).
  std::vector<std::string> erasure_kept_fields;
};

}  // namespace fieldcrm
