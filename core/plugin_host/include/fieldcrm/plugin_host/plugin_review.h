// Runs the plugins' per-customer hooks over the store. Review: plugins propose records (a
// referral reward...) which the host applies afterwards, all in one transaction, through
// Store::Write so they sync. Alerts: plugins report what is due; nothing is written.
// A plugin that fails is disabled, its proposals dropped, and the others carry on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct ReviewResult {
  int created = 0;                    // records written
  int64_t reviewed = 0;               // customers the plugins were shown
  std::vector<std::string> failures;  // one line per plugin that failed
};

// Reviews every live customer (or only the root `only`) as of as_of_ms.
ReviewResult ReviewCustomers(Store& store, PluginHost& host, int64_t as_of_ms,
                             const std::optional<std::string>& only = {});

// Reviews what changes to `records` can have changed the outcome of, as of as_of_ms. The contract
// with plugins: a review sees one customer's bundle (fieldcrm/projections/customer_bundle.h:
// its document, what hangs under it and its aliases, the referrals naming it as referrer), its
// grade (from its own facts), the plugin's settings and the time. So the customers reviewed are
// the live roots whose bundles hold a changed record (CustomersHolding: a referral made by one
// customer for another is reviewed on both sides, so a referral rule that rewards a referrer when
// the customer they brought signs sees the signing on the referee and the referral on either),
// and every customer when a plugin's settings are among the records. What only the passing of
// time makes due is not a change: `plugins run` (ReviewCustomers over all) reviews it.
ReviewResult ReviewChangedRecords(Store& store, PluginHost& host, int64_t as_of_ms,
                                  const std::vector<std::string>& records);

// Writes the records plugins proposed, in one transaction, skipping those already present (their
// ids derive from what they record, so a replica that has one has it from here or elsewhere);
// returns how many it wrote. A record hanging under no customer gets the device's team as its
// `team` (fieldcrm/model/team_scope.h), replacing any the plugin gave: a device without a team
// (head office's) writes it global.
int WriteProposedRecords(Store& store, const std::vector<ProposedRecord>& records);

struct DueAlert {
  std::string plugin, rule, customer, customer_name, agent, message;
  int64_t due_ms = 0;
};

struct AlertsResult {
  std::vector<DueAlert> alerts;  // by agent, then due time
  std::vector<std::string> failures;
};

// What is due for every live customer (or only the root `only`) as of as_of_ms.
AlertsResult CollectAlerts(Store& store, PluginHost& host, int64_t as_of_ms,
                           const std::optional<std::string>& only = {});

}  // namespace fieldcrm
