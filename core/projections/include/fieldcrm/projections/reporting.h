// The reporting contract: what reports (reports/, the server's dashboard) may read of a store,
// and how. A report reads on a connection of its own that only reads (its transactions are
// snapshots beside the writer), and names only these tables and views (docs/reports.md):
//
//   customer_facts, history_facts  the fact tables, columns as fieldcrm/projections/facts.h
//                                  documents them (core/storage/schema.cc creates them).
//   stage_moves(customer, stage, hlc)
//       every write the log still holds that changed a customer's stage (a write replacing an
//       earlier stage: the stage a customer is registered with is not a move): `customer` the
//       root it belongs to now, `stage` the stage written (text), `hlc` its stamp
//       (HlcFromMillis scale).
//   survey_definitions(key, definition)
//       every survey: its key and its definition (JSON text: title, questions [{id, text,
//       type}]).
//   survey_answers(id, answers)
//       every survey response, by the id history_facts gives it: its answers (JSON text object,
//       question id -> answer).
//   customer_records(id, root, deleted, doc)
//       every customer id (aliases too): the root it resolves to, whether the customer is
//       deleted and its document (JSON text; a root's combines its aliases' fields).
//   service_cases(id, kind, customer, category, severity, channel, handler, opened_ms, first_ms,
//                 resolved_ms, closed_ms, satisfaction)
//       every live complaint and repair (fieldcrm/model/service_cases.h): `customer` the root it
//       belongs to now, times in unix ms (NULL until stamped): first_ms the answer (complaint) or
//       the visit on site (repair), or the end when it came first, resolved_ms the resolution or
//       the fix, closed_ms a complaint closed without resolution; satisfaction 1-5 or NULL.
//   customer_children(customer, kind, deleted)
//       every record that hangs under a customer id (interactions, tasks, deals, referrals,
//       rewards, survey responses): that id, its kind and whether it is deleted.
//   live_records(kind, id, doc)
//       every live (not deleted) record of any kind: its kind, id and document (JSON text with
//       its "id"), for the kinds plugins keep (a reception plugin's walk-ins).
//
// Reports may create TEMP tables of their own on the connection. The views are TEMP views this
// class defines over core's private tables, so a rename in core's schema changes this file and
// the views' definitions, not the reports. tests/layers/layering_test.sh fails on SQL naming any
// other of core's tables outside core.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/projections/facts.h"
#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

class ReportingConnection {
 public:
  // Opens the store file at store_path for reading (it must exist and be migrated: open it with
  // Store::Open first).
  explicit ReportingConnection(const std::string& store_path);

  // The read-only connection the contract's names are defined on.
  Database& db() { return *db_; }

  // LoadCustomerFacts(db(), now, team): the grading facts of every live customer (of `team` when
  // set) now, in id order, as the snapshot of the caller's open transaction holds them. Kept
  // until the store changes (SQLite's data_version: a commit by any other connection), so that of
  // the tier-graded pages viewed between two changes only the first reads them (0.2-0.3 s at
  // 120,000 customers; bench/README.md). Call it inside the report's transaction.
  const std::vector<std::pair<std::string, sdk::CustomerFacts>>& FactsNow(
      const std::optional<std::string>& team);

 private:
  std::unique_ptr<Database> db_;
  int64_t facts_version_ = -1;  // data_version the kept facts were read at
  std::map<std::optional<std::string>, std::vector<std::pair<std::string, sdk::CustomerFacts>>>
      facts_now_;
};

}  // namespace fieldcrm
