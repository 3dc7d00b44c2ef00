#include "fieldcrm/application/session.h"

#include <utility>

#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/conflicts.h"

namespace fieldcrm {

Session::Session(SessionOptions options) : options_(std::move(options)) {}

Session::~Session() = default;

Store& Session::store() {
  if (options_.db_path.empty()) throw InvalidInput("no store given (--db FILE)");
  if (!store_) store_ = OpenCustomerStore(options_.db_path, *options_.env);
  return *store_;
}

PluginHost& Session::plugins() {
  if (!plugins_) {
    Store& opened = store();
    plugins_ = std::make_unique<PluginHost>(
        StorePluginSources(options_.plugins_dir, options_.allow_unsigned_plugins, opened,
                           options_.db_path),
        PluginRunOptions(options_.plugin_isolation, options_.plugin_limits));
    plugins_->Configure(opened);
  }
  return *plugins_;
}

void Session::Close() {
  plugins_.reset();
  store_.reset();
}

void Session::ReloadPlugins() {
  plugins_.reset();
}

int64_t Session::AsOfMs() const {
  return options_.as_of_ms.value_or(options_.env->NowMillis());
}

WriteOutcome Session::AddCustomer(const FieldTexts& fields) {
  AddedCustomer added = Customers(store()).Add(fields);
  return {added.id, added.existed, {}};
}

WriteOutcome Session::SetCustomer(const std::string& id, const FieldTexts& fields) {
  Customers customers(store());
  customers.Set(id, fields);
  return {customers.Resolve(id), false, {}};
}

std::vector<std::string> Session::SetCustomers(const std::vector<CustomerEdit>& edits) {
  return Customers(store()).SetMany(edits);
}

WriteOutcome Session::AddInteraction(const std::string& customer, const InteractionInput& input) {
  return {Activities(store()).AddInteraction(customer, input), false, {}};
}

WriteOutcome Session::AddTask(const std::string& customer, int64_t due_ms,
                              const std::string& note) {
  return {Activities(store()).AddTask(customer, due_ms, note), false, {}};
}

WriteOutcome Session::CompleteTask(const std::string& task) {
  Activities(store()).CompleteTask(task);
  return {task, false, {}};
}

WriteOutcome Session::AddDeal(const std::string& customer, const std::string& unit, int64_t price,
                              const std::string& status) {
  Activities activities(store());
  bool existed = activities.LiveDealOn(customer, unit).has_value();
  // Reviewed again on a retry: reviews write records keyed by what they review, so a review
  // that a crash cut short completes now and one that finished writes nothing.
  WriteOutcome outcome = Reviewed(activities.AddDeal(customer, unit, price, status));
  outcome.existed = existed;
  return outcome;
}

WriteOutcome Session::SetDealStatus(const std::string& deal, const std::string& status) {
  Activities(store()).SetDealStatus(deal, status);
  return Reviewed(deal);
}

WriteOutcome Session::AddReferral(const std::string& referrer, const std::string& referee) {
  return Reviewed(Activities(store()).AddReferral(referrer, referee));
}

WriteOutcome Session::OpenServiceCase(const std::string& customer, const NewServiceCase& input) {
  return {ServiceCases(store()).Open(customer, input), false, {}};
}

WriteOutcome Session::AdvanceServiceCase(const std::string& kind, const std::string& id,
                                         const ServiceCaseStep& step) {
  ServiceCases(store()).Advance(kind, id, step);
  return {id, false, {}};
}

WriteOutcome Session::RestoreLostWrite(const std::string& record, const std::string& field,
                                       Hlc lost_hlc, const std::string& lost_device) {
  fieldcrm::RestoreLostWrite(store(), record, field, lost_hlc, lost_device);
  // Only customers and what hangs under them have plugin rules (not survey definitions, say).
  std::optional<Store::RecordPlace> place = store().FindRecord(record);
  bool of_customer = place && (place->kind == "customer" || place->parent);
  return of_customer ? Reviewed(record) : WriteOutcome{record, false, {}};
}

WriteOutcome Session::Reviewed(std::string id) {
  ReviewResult review = ReviewAfterWrite(id);
  return {std::move(id), false, std::move(review.failures)};
}

ReviewResult Session::ReviewAfterWrite(const std::string& record) {
  Store& opened = store();
  // A customer stands for itself; anything else for the customer it hangs under.
  auto place = opened.FindRecord(record);
  std::string customer = place && place->parent ? *place->parent : record;
  return ReviewCustomers(opened, plugins(), AsOfMs(), Customers(opened).Resolve(customer));
}

ReviewResult Session::ReviewAll() {
  return ReviewCustomers(store(), plugins(), AsOfMs());
}

void NoteReceivedForReview(Store& store, int64_t log_head_before) {
  if (!store.GetMeta(kUnreviewedAfterKey)) {
    store.SetMeta(kUnreviewedAfterKey, std::to_string(log_head_before));
  }
}

std::optional<ReviewResult> Session::ReviewAfterSync(bool push_failed, bool plugins_changed) {
  if (push_failed) return std::nullopt;
  Store& opened = store();
  std::optional<std::string> unreviewed = opened.GetMeta(kUnreviewedAfterKey);
  if (!unreviewed && !plugins_changed) return std::nullopt;
  // The review's records and the cleared note commit together: a review cut short runs again.
  Transaction txn = opened.Transact();
  std::optional<std::vector<std::string>> records;
  if (unreviewed && !plugins_changed) {
    records = opened.RecordsLoggedAfter(std::stoll(*unreviewed), kReviewAllAbove);
  }
  ReviewResult review =
      records ? ReviewChangedRecords(opened, plugins(), AsOfMs(), *records) : ReviewAll();
  opened.DeleteMeta(kUnreviewedAfterKey);
  txn.Commit();
  return review;
}

}  // namespace fieldcrm
