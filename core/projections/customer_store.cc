#include "fieldcrm/projections/customer_store.h"

#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/facts.h"

namespace fieldcrm {

namespace {

// The fact tables as schema step 3 created them: never edit, a change is a new step.
constexpr const char* kFactTablesSql = R"sql(
CREATE TABLE customer_facts(
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  agent TEXT NOT NULL,
  project TEXT,
  stage TEXT NOT NULL,
  name TEXT,
  source TEXT,
  created_at TEXT,
  created_ms INTEGER,
  budget INTEGER NOT NULL) WITHOUT ROWID;
-- Times are kept as written (for display) and as unix ms (to compare); NULL when missing or
-- malformed. Columns a kind does not have stay NULL (or 0). Rows are clustered by kind, then
-- customer: a report reads one kind's rows, a customer's grading reads a few short ranges.
CREATE TABLE history_facts(
  kind TEXT NOT NULL,
  customer TEXT NOT NULL,
  id TEXT NOT NULL,
  parent TEXT NOT NULL,
  at TEXT,
  at_ms INTEGER,
  type TEXT,
  minutes INTEGER NOT NULL,
  due TEXT,
  due_ms INTEGER,
  done INTEGER NOT NULL,
  status TEXT,
  price INTEGER NOT NULL,
  reserved_at TEXT,
  signed_at TEXT,
  signed_ms INTEGER,
  referrer TEXT,
  referrer_root TEXT,
  points INTEGER NOT NULL,
  granted_ms INTEGER,
  survey TEXT,
  nps REAL,
  satisfaction REAL,
  PRIMARY KEY(kind, customer, id)) WITHOUT ROWID;
CREATE UNIQUE INDEX history_facts_by_id ON history_facts(id);
CREATE INDEX history_facts_by_parent ON history_facts(parent);
CREATE INDEX history_facts_by_referrer ON history_facts(referrer) WHERE referrer IS NOT NULL;
)sql";

class FactsObserver : public RecordObserver {
 public:
  void RecordWritten(Database& db, const RecordRow& row) override {
    WriteFacts(db, row.id, row.kind, row.parent, row.root, row.deleted, row.doc);
  }
  const char* SchemaSql() const override { return kFactTablesSql; }
  void RebuildAll(Database& db) override { RebuildAllFacts(db); }
};

}  // namespace

const StoreHooks& CustomerStoreHooks() {
  static FactsObserver facts;
  // An erased customer keeps its team (sync scopes its records by it) and referrals keep the ids
  // of the customers they link; nothing else survives an erasure.
  static const StoreHooks hooks{kCustomerIndexedFields,
                                {kCustomerIdentityField},
                                &facts,
                                MergeCustomersSharingPhone,
                                {"team", "referrer"}};
  return hooks;
}

std::unique_ptr<Store> CreateCustomerStore(const std::string& path, DeviceInfo device,
                                           const Env& env) {
  return Store::Create(path, std::move(device), CustomerStoreHooks(), env);
}

std::unique_ptr<Store> OpenCustomerStore(const std::string& path, const Env& env) {
  return Store::Open(path, CustomerStoreHooks(), env);
}

}  // namespace fieldcrm
