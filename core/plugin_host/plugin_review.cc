#include "fieldcrm/plugin_host/plugin_review.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "fieldcrm/model/team_scope.h"
#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/storage/name_uuid.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// The JSON texts a CustomerView points into; must outlive the view.
struct ViewTexts {
  std::string customer, interactions, deals, referrals_made, referred_by, survey_responses,
      complaints, repairs;

  explicit ViewTexts(const CustomerBundle& b)
      : customer(b.customer.dump()),
        interactions(b.interactions.dump()),
        deals(b.deals.dump()),
        referrals_made(b.referrals_made.dump()),
        referred_by(b.referred_by.dump()),
        survey_responses(b.survey_responses.dump()),
        complaints(b.complaints.dump()),
        repairs(b.repairs.dump()) {}

  fieldcrm_customer_view View(const CustomerBundle& b, const sdk::TierGrade& grade,
                              int64_t now) const {
    return {sizeof(fieldcrm_customer_view),
            sdk::ToStr(b.id),
            sdk::ToStr(customer),
            sdk::ToStr(interactions),
            sdk::ToStr(deals),
            sdk::ToStr(referrals_made),
            sdk::ToStr(referred_by),
            sdk::ToStr(survey_responses),
            &b.facts,
            grade,
            now,
            sdk::ToStr(complaints),
            sdk::ToStr(repairs)};
  }
};

// Customers are visited in windows of this many, so memory stays bounded whatever the store's size.
constexpr int64_t kWindow = 2000;

// Bundles with their grades; grades stay empty (tier 0) without a usable tiering plugin.
struct Graded {
  std::vector<CustomerBundle> bundles;
  std::vector<sdk::TierGrade> grades;
};

// The customers a pass visits, a window at a time: every live one in id order, or the given
// roots.
class CustomerWindows {
 public:
  CustomerWindows(Store& store, const std::vector<std::string>* roots)
      : store_(store), roots_(roots) {}

  // The next window; empty when all were visited.
  std::vector<CustomerBundle> Next() {
    if (!roots_) {
      if (done_) return {};
      std::vector<CustomerBundle> window =
          LoadCustomerBundles(store_, std::nullopt, after_, kWindow);
      done_ = static_cast<int64_t>(window.size()) < kWindow;
      if (!window.empty()) after_ = window.back().id;
      return window;
    }
    std::vector<CustomerBundle> window;
    for (int64_t taken = 0; next_ < roots_->size() && taken < kWindow; ++next_, ++taken) {
      for (CustomerBundle& bundle : LoadCustomerBundles(store_, (*roots_)[next_])) {
        window.push_back(std::move(bundle));
      }
    }
    return window;
  }

 private:
  Store& store_;
  const std::vector<std::string>* roots_;  // nullptr: every live customer
  std::string after_;
  size_t next_ = 0;
  bool done_ = false;
};

// A window of customers, graded unless grading failed before (reported once).
Graded LoadGraded(PluginHost& host, int64_t as_of_ms, std::vector<CustomerBundle> bundles,
                  bool& grading_failed, std::vector<std::string>& failures) {
  Graded graded{std::move(bundles), {}};
  graded.grades.resize(graded.bundles.size());
  LoadedPlugin* tiering = host.FirstOfKind("tiering");
  if (tiering && !grading_failed && !graded.bundles.empty()) {
    try {
      graded.grades = GradeBundles(*tiering, graded.bundles, as_of_ms);
    } catch (const std::exception& e) {
      grading_failed = true;
      failures.push_back(e.what());
    }
  }
  return graded;
}

// For each usable plugin that has the hook (has(plugin)): make(plugin) gives a visitor whose
// Visit(plugin, view, bundle) runs for every customer (all, or the given roots) and whose
// Finish() runs only if all of them succeeded. A plugin that fails is reported in failures, and
// what it produced is dropped. Returns how many customers were visited.
template <typename HasHook, typename MakeVisitor>
int64_t ForEachView(Store& store, PluginHost& host, int64_t as_of_ms,
                    const std::vector<std::string>* roots, std::vector<std::string>& failures,
                    HasHook&& has, MakeVisitor&& make) {
  std::vector<LoadedPlugin*> plugins;
  for (LoadedPlugin* plugin : host.Usable()) {
    if (has(*plugin)) plugins.push_back(plugin);
  }
  if (plugins.empty()) return 0;
  using Visitor = decltype(make(*plugins.front()));
  std::vector<std::optional<Visitor>> visitors;  // empty once its plugin failed
  for (LoadedPlugin* plugin : plugins) visitors.emplace_back(make(*plugin));
  bool grading_failed = false;
  int64_t visited = 0;
  CustomerWindows windows(store, roots);
  for (std::vector<CustomerBundle> window = windows.Next(); !window.empty();
       window = windows.Next()) {
    Graded graded = LoadGraded(host, as_of_ms, std::move(window), grading_failed, failures);
    visited += static_cast<int64_t>(graded.bundles.size());
    std::vector<ViewTexts> texts;
    texts.reserve(graded.bundles.size());
    for (const CustomerBundle& bundle : graded.bundles) texts.emplace_back(bundle);
    for (size_t p = 0; p < plugins.size(); ++p) {
      if (!visitors[p]) continue;
      try {
        for (size_t i = 0; i < graded.bundles.size(); ++i) {
          fieldcrm_customer_view view =
              texts[i].View(graded.bundles[i], graded.grades[i], as_of_ms);
          visitors[p]->Visit(*plugins[p], view, graded.bundles[i]);
        }
      } catch (const std::exception& e) {
        failures.push_back(e.what());
        visitors[p].reset();
      }
    }
  }
  for (std::optional<Visitor>& visitor : visitors) {
    if (visitor) visitor->Finish();
  }
  return visited;
}

// `only` as a list of roots (nullptr: every customer).
const std::vector<std::string>* Only(const std::optional<std::string>& only,
                                     std::vector<std::string>& storage) {
  if (!only) return nullptr;
  storage = {*only};
  return &storage;
}

bool RecordExists(Store& store, const std::string& id) {
  return store.FindRecord(id).has_value();
}

}  // namespace

namespace {

ReviewResult Review(Store& store, PluginHost& host, int64_t as_of_ms,
                    const std::vector<std::string>* roots) {
  ReviewResult result;
  std::vector<ProposedRecord> accepted;
  struct Visitor {
    std::vector<ProposedRecord>& accepted;
    std::vector<ProposedRecord> proposed;
    void Visit(LoadedPlugin& plugin, const fieldcrm_customer_view& view, const CustomerBundle&) {
      for (ProposedRecord& record : plugin.Review(view)) proposed.push_back(std::move(record));
    }
    void Finish() {
      for (ProposedRecord& record : proposed) accepted.push_back(std::move(record));
    }
  };
  result.reviewed = ForEachView(
      store, host, as_of_ms, roots, result.failures,
      [](const LoadedPlugin& plugin) { return plugin.HasReview(); },
      [&](LoadedPlugin&) {
        return Visitor{accepted, {}};
      });
  result.created = WriteProposedRecords(store, accepted);
  return result;
}

}  // namespace

ReviewResult ReviewCustomers(Store& store, PluginHost& host, int64_t as_of_ms,
                             const std::optional<std::string>& only) {
  std::vector<std::string> storage;
  return Review(store, host, as_of_ms, Only(only, storage));
}

ReviewResult ReviewChangedRecords(Store& store, PluginHost& host, int64_t as_of_ms,
                                  const std::vector<std::string>& records) {
  std::set<std::string, std::less<>> changed(records.begin(), records.end());
  for (LoadedPlugin* plugin : host.Usable()) {
    if (changed.contains(ConfigRecordId(plugin->name()))) {
      return Review(store, host, as_of_ms, nullptr);
    }
  }
  std::vector<std::string> roots = CustomersHolding(store, records);
  return Review(store, host, as_of_ms, &roots);
}

int WriteProposedRecords(Store& store, const std::vector<ProposedRecord>& proposed) {
  int created = 0;
  const std::string& team = store.device().team;
  Transaction txn = store.Transact();
  for (ProposedRecord record : proposed) {
    // A record under no customer belongs to the writing device's team (a reception tablet's
    // walk-in log), whatever the plugin said: the plugin does not choose who may see it. Its id
    // names the team too, so two offices writing the same key (duty lists set at the same
    // second) write two records, not one record of two teams.
    if (!LinksCustomer(record.fields)) {
      record.fields.erase(kRecordTeamField);
      if (!team.empty()) {
        record.fields[kRecordTeamField] = team;
        record.id = NameUuid(record.id + "/" + team);
      }
    }
    if (RecordExists(store, record.id)) continue;  // granted before, here or on another replica
    FieldValues values;
    for (const auto& [name, value] : record.fields.items()) values.emplace_back(name, value);
    store.Write(record.kind, record.id, values);
    created++;
  }
  txn.Commit();
  return created;
}

AlertsResult CollectAlerts(Store& store, PluginHost& host, int64_t as_of_ms,
                           const std::optional<std::string>& only) {
  AlertsResult result;
  struct Visitor {
    std::vector<DueAlert>& out;
    std::vector<DueAlert> found;
    void Visit(LoadedPlugin& plugin, const fieldcrm_customer_view& view,
               const CustomerBundle& bundle) {
      for (PluginAlert& alert : plugin.Alerts(view)) {
        found.push_back({plugin.name(), alert.rule, bundle.id, bundle.customer.value("name", ""),
                         bundle.customer.value("agent", ""), alert.message, alert.due_ms});
      }
    }
    void Finish() { out.insert(out.end(), found.begin(), found.end()); }
  };
  std::vector<std::string> storage;
  ForEachView(
      store, host, as_of_ms, Only(only, storage), result.failures,
      [](const LoadedPlugin& plugin) { return plugin.HasAlerts(); },
      [&](LoadedPlugin&) {
        return Visitor{result.alerts, {}};
      });
  std::sort(result.alerts.begin(), result.alerts.end(), [](const DueAlert& a, const DueAlert& b) {
    return std::tie(a.agent, a.due_ms, a.customer, a.rule) <
           std::tie(b.agent, b.due_ms, b.customer, b.rule);
  });
  return result;
}

}  // namespace fieldcrm
