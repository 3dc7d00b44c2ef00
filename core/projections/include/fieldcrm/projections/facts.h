// Fact tables: narrow, typed copies of the record fields that reports and tier grading aggregate,
// kept in step with the records table (every row write goes through WriteFacts). Aggregates over
// hundreds of thousands of customers then read small rows by column instead of parsing JSON
// documents. Like records, facts are a pure function of field_state.
//
//   customer_facts: one row per live root customer (team, agent, project, stage, budget, ...,
//                   since schema step 7 `tags`, how many tags it has, and since step 8
//                   `last_interaction_ms`, the latest `at_ms` of its interactions or NULL).
//   history_facts:  one row per live interaction, task, deal, referral, reward or survey
//                   response, with `customer` the root of the customer it hangs under (moved
//                   when customers merge) and its times as unix milliseconds.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/plugin.h"
#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

// The row of records `id` was just written as; keeps its facts (and, for a customer, the root of
// everything hanging under it) in step.
void WriteFacts(Database& db, const std::string& id, const std::string& kind,
                const std::optional<std::string>& parent, const std::optional<std::string>& root,
                bool deleted, const nlohmann::json& doc);

// Rebuilds both tables from the records table (for stores made before they existed).
void RebuildAllFacts(Database& db);

// Every live root customer's numeric facts, in id order, as ComputeFacts derives them from the
// customer's bundle. With as_of_ms, the facts as they stood then: customers created by then
// (or with no creation time), only what happened before it, and the stage last written before
// it (today's when the change log holds none: a compacted log keeps only each field's winner).
// With team, only that team's customers (a team's report grades its own).
// With ids, only customers whose ids run from ids->first to ids->last (a window of a listing:
// read by the key, not by scanning every customer).
struct IdRange {
  std::string first, last;
};
std::vector<std::pair<std::string, sdk::CustomerFacts>> LoadCustomerFacts(
    Database& db, std::optional<int64_t> as_of_ms = std::nullopt,
    const std::optional<std::string>& team = std::nullopt,
    const std::optional<IdRange>& ids = std::nullopt);

}  // namespace fieldcrm
