// One working session over a store: the store, its plugins and the time rules are evaluated
// at. Every front end (the fieldcrm CLI, the tablet app, head office's server) goes through a
// Session, so the policy of when plugins react to a write lives here and nowhere else:
//  - a write that can complete a plugin rule (a deal added or moved, a referral registered)
//    is followed by a review of the customer it belongs to;
//  - a sync round that received changes is followed by a review of the customers those changes
//    can concern (ReviewAfterSync; the contract is ReviewChangedRecords'), and the caller sends
//    what that review wrote in the same sync.
// A review runs after its write has committed: a plugin that fails is disabled and reported as
// a warning, and the write stands.
//
// Nothing is opened until first used, so a front end can report usage errors before any file
// is touched. Not thread-safe: one Session per thread (a server keeps one per request or
// serialises).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/service_cases.h"
#include "fieldcrm/plugin_host/plugin_host.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct SessionOptions {
  std::string db_path;
  std::string plugins_dir;           // "" = the store's setting, then the defaults (PluginsFolder)
  std::optional<int64_t> as_of_ms;   // the time tiers and alerts are evaluated at; default now
  const Env* env = &Env::Default();  // where "now" comes from; outlives the session
  PluginIsolation plugin_isolation = PluginIsolation::kNone;  // where plugin code runs
  PluginLimits plugin_limits;                                 // for isolated plugins
  bool allow_unsigned_plugins = false;  // the user asked to load unsigned local plugins
};

// What a write produced: the record written (or found) and the warnings of the review after it.
struct WriteOutcome {
  std::string id;
  bool existed = false;  // AddCustomer: the phone was already on the store; AddDeal: the same
                         // deal was (a retry); nothing written
  std::vector<std::string> warnings;
};

// Meta key: the log position after which received changes await the review after sync.
inline constexpr const char* kUnreviewedAfterKey = "plugins.unreviewed_after";

// Called by sync in the transaction that applies received changes, with the log's head before
// them: they join what the next ReviewAfterSync reviews. A crash before that review leaves the
// note, so the review happens at the next sync instead of never.
void NoteReceivedForReview(Store& store, int64_t log_head_before);

class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const SessionOptions& options() const { return options_; }
  // The store, opened on first use. Throws for a missing path or a file that is not a store.
  Store& store();
  // The plugins of the store's folders (StorePluginSources), loaded and configured on first use.
  PluginHost& plugins();
  // Closes the plugins and the store (before its files are removed, say); reopened on next use.
  void Close();
  // Unloads the plugins (sync installed new releases); loaded again on next use.
  void ReloadPlugins();
  // as_of_ms, or now.
  int64_t AsOfMs() const;

  // Writes. Each is one transaction on the store; those that can complete a plugin rule are
  // then reviewed (see above).
  WriteOutcome AddCustomer(const FieldTexts& fields);
  WriteOutcome SetCustomer(const std::string& id, const FieldTexts& fields);
  // SetCustomer of many customers (a script's batch, Customers::SetMany): one transaction, all
  // or nothing, the first bad edit named in the error. Returns the customers written, in order.
  std::vector<std::string> SetCustomers(const std::vector<CustomerEdit>& edits);
  WriteOutcome AddInteraction(const std::string& customer, const InteractionInput& input);
  WriteOutcome AddTask(const std::string& customer, int64_t due_ms, const std::string& note);
  WriteOutcome CompleteTask(const std::string& task);
  WriteOutcome AddDeal(const std::string& customer, const std::string& unit, int64_t price,
                       const std::string& status);
  WriteOutcome SetDealStatus(const std::string& deal, const std::string& status);
  WriteOutcome AddReferral(const std::string& referrer, const std::string& referee);
  // Complaints and repairs (fieldcrm/model/service_cases.h).
  WriteOutcome OpenServiceCase(const std::string& customer, const NewServiceCase& input);
  WriteOutcome AdvanceServiceCase(const std::string& kind, const std::string& id,
                                  const ServiceCaseStep& step);
  // Writes a value that lost a same-field conflict again (fieldcrm/storage/conflicts.h), then
  // reviews the customer it belongs to (a restored stage may complete a rule).
  WriteOutcome RestoreLostWrite(const std::string& record, const std::string& field, Hlc lost_hlc,
                                const std::string& lost_device);

  // Lets the plugins react to a committed write of `record` (a customer, or a record that hangs
  // under one): reviews that customer.
  ReviewResult ReviewAfterWrite(const std::string& record);
  // Every customer (plugins run, or new plugins arrived with a sync).
  ReviewResult ReviewAll();
  // The policy after one sync round: unless its push failed, the plugins review the customers
  // whose bundles hold a record received since the last such review (NoteReceivedForReview:
  // what arrived may complete a rule, a referred customer's deal signed elsewhere), or every
  // customer when the plugins changed or more than kReviewAllAbove records arrived. Returns the
  // review, nullopt when there was nothing to review; when it wrote records (created > 0), the
  // caller runs one more round to send them. Their ids derive from the facts, so replicas that
  // react to the same deal write the same record.
  std::optional<ReviewResult> ReviewAfterSync(bool push_failed, bool plugins_changed);
  static constexpr int64_t kReviewAllAbove = 50'000;

 private:
  WriteOutcome Reviewed(std::string id);

  SessionOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PluginHost> plugins_;
};

}  // namespace fieldcrm
