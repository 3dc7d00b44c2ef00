#include "fieldcrm/plugin_host/plugin_review.h"

#include <algorithm>
#include <tuple>

#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/storage/name_uuid.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// The JSON texts a CustomerView points into; must outlive the view.
struct ViewTexts {
  std::string customer, interactions, deals, referrals_made, referred_by, survey_responses;

  explicit ViewTexts(const CustomerBundle& b)
      : customer(b.customer.dump()),
        interactions(b.interactions.dump()),
        deals(b.deals.dump()),
        referrals_made(b.referrals_made.dump()),
        referred_by(b.referred_by.dump()),
        survey_responses(b.survey_responses.dump()) {}

  sdk::CustomerView View(const CustomerBundle& b, const sdk::TierGrade& grade, int64_t now) const {
    return {b.id,        customer,         interactions, deals, referrals_made,
            referred_by, survey_responses, &b.facts,     grade, now};
  }
};

// Customers are visited in windows of this many, so memory stays bounded whatever the store's size.
constexpr int64_t kWindow = 2000;

// Bundles with their grades; grades stay empty (tier 0) without a usable tiering plugin.
struct Graded {
  std::vector<CustomerBundle> bundles;
  std::vector<sdk::TierGrade> grades;
};

// The window of customers after `after`, graded unless grading failed before (reported once).
Graded LoadGraded(Store& store, PluginHost& host, int64_t as_of_ms,
                  const std::optional<std::string>& only, const std::string& after,
                  bool& grading_failed, std::vector<std::string>& failures) {
  Graded graded{LoadCustomerBundles(store, only, after, kWindow), {}};
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

// For each usable plugin: make(plugin) gives a visitor whose Visit(plugin api, view, bundle) runs
// for every customer (all, or the root `only`) and whose Finish() runs only if all of them
// succeeded. A plugin that fails is reported in failures, and what it produced is dropped.
template <typename MakeVisitor>
void ForEachView(Store& store, PluginHost& host, int64_t as_of_ms,
                 const std::optional<std::string>& only, const char* what,
                 std::vector<std::string>& failures, MakeVisitor&& make) {
  std::vector<LoadedPlugin*> plugins = host.Usable();
  if (plugins.empty()) return;
  using Visitor = decltype(make(*plugins.front()));
  std::vector<std::optional<Visitor>> visitors;  // empty once its plugin failed
  for (LoadedPlugin* plugin : plugins) visitors.emplace_back(make(*plugin));
  bool grading_failed = false;
  for (std::string after;;) {
    Graded graded = LoadGraded(store, host, as_of_ms, only, after, grading_failed, failures);
    std::vector<ViewTexts> texts;
    texts.reserve(graded.bundles.size());
    for (const CustomerBundle& bundle : graded.bundles) texts.emplace_back(bundle);
    for (size_t p = 0; p < plugins.size(); ++p) {
      if (!visitors[p]) continue;
      try {
        for (size_t i = 0; i < graded.bundles.size(); ++i) {
          sdk::CustomerView view = texts[i].View(graded.bundles[i], graded.grades[i], as_of_ms);
          plugins[p]->Invoke(
              what, [&](sdk::Plugin& api) { visitors[p]->Visit(api, view, graded.bundles[i]); });
        }
      } catch (const std::exception& e) {
        failures.push_back(e.what());
        visitors[p].reset();
      }
    }
    if (static_cast<int64_t>(graded.bundles.size()) < kWindow) break;
    after = graded.bundles.back().id;
  }
  for (std::optional<Visitor>& visitor : visitors) {
    if (visitor) visitor->Finish();
  }
}

struct ProposedRecord {
  std::string kind, id;
  json fields;
};

class CollectingWriter final : public sdk::Writer {
 public:
  explicit CollectingWriter(const LoadedPlugin& plugin) : plugin_(plugin) {}

  void Write(std::string_view kind, std::string_view key, std::string_view fields_json) override {
    // Thrown into the plugin's frames on purpose: the host's guard disables the plugin.
    if (!plugin_.MayWrite(kind)) {
      throw std::logic_error("wrote a '" + std::string(kind) +
                             "' record, which its manifest does not list under \"writes\"");
    }
    if (key.empty()) throw std::logic_error("wrote a record without a key");
    json fields = json::parse(fields_json);  // a parse error is the plugin's bug, too
    if (!fields.is_object() || fields.empty()) {
      throw std::logic_error("wrote fields that are not a non-empty JSON object");
    }
    for (const auto& [name, value] : fields.items()) {
      if (name.empty() || name.starts_with('_') || name == "id") {
        throw std::logic_error("wrote reserved field '" + name + "'");
      }
    }
    std::string id = NameUuid(plugin_.name() + "/" + std::string(kind) + "/" + std::string(key));
    proposed.push_back({std::string(kind), id, std::move(fields)});
  }

  std::vector<ProposedRecord> proposed;

 private:
  const LoadedPlugin& plugin_;
};

class CollectingSink final : public sdk::AlertSink {
 public:
  void Alert(std::string_view rule, int64_t due_ms, std::string_view message) override {
    pending.push_back({std::string(rule), due_ms, std::string(message)});
  }
  struct Pending {
    std::string rule;
    int64_t due_ms;
    std::string message;
  };
  std::vector<Pending> pending;
};

bool RecordExists(Store& store, const std::string& id) {
  return store.FindRecord(id).has_value();
}

}  // namespace

ReviewResult ReviewCustomers(Store& store, PluginHost& host, int64_t as_of_ms,
                             const std::optional<std::string>& only) {
  ReviewResult result;
  std::vector<ProposedRecord> accepted;
  struct Visitor {
    CollectingWriter writer;
    std::vector<ProposedRecord>& accepted;
    void Visit(sdk::Plugin& p, const sdk::CustomerView& view, const CustomerBundle&) {
      p.Review(view, writer);
    }
    void Finish() {
      for (ProposedRecord& record : writer.proposed) accepted.push_back(std::move(record));
    }
  };
  ForEachView(store, host, as_of_ms, only, "reviewing customers", result.failures,
              [&](LoadedPlugin& plugin) {
                return Visitor{CollectingWriter(plugin), accepted};
              });
  Transaction txn = store.Transact();
  for (const ProposedRecord& record : accepted) {
    if (RecordExists(store, record.id)) continue;  // granted before, here or on another replica
    FieldValues values;
    for (const auto& [name, value] : record.fields.items()) values.emplace_back(name, value);
    store.Write(record.kind, record.id, values);
    result.created++;
  }
  txn.Commit();
  return result;
}

AlertsResult CollectAlerts(Store& store, PluginHost& host, int64_t as_of_ms,
                           const std::optional<std::string>& only) {
  AlertsResult result;
  struct Visitor {
    const LoadedPlugin& plugin;
    std::vector<DueAlert>& out;
    std::vector<DueAlert> found;
    void Visit(sdk::Plugin& p, const sdk::CustomerView& view, const CustomerBundle& bundle) {
      CollectingSink sink;
      p.Alerts(view, sink);
      for (auto& alert : sink.pending) {
        found.push_back({plugin.name(), alert.rule, bundle.id, bundle.customer.value("name", ""),
                         bundle.customer.value("agent", ""), alert.message, alert.due_ms});
      }
    }
    void Finish() { out.insert(out.end(), found.begin(), found.end()); }
  };
  ForEachView(store, host, as_of_ms, only, "listing alerts", result.failures,
              [&](LoadedPlugin& plugin) {
                return Visitor{plugin, result.alerts, {}};
              });
  std::sort(result.alerts.begin(), result.alerts.end(), [](const DueAlert& a, const DueAlert& b) {
    return std::tie(a.agent, a.due_ms, a.customer, a.rule) <
           std::tie(b.agent, b.due_ms, b.customer, b.rule);
  });
  return result;
}

}  // namespace fieldcrm
