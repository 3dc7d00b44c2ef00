#include "fieldcrm/plugin_host/plugin_library.h"

#include <deque>
#include <iostream>

#include "fieldcrm/plugin_checks.h"
#include "fieldcrm/storage/name_uuid.h"

// The host's side of one hook call (opaque to plugins): what the plugin handed back through the
// host functions, the first write or read that broke the rules, and what it may do: write (review,
// and a call with the store at hand) and read (only the latter: reads is set).
struct fieldcrm_call {
  fieldcrm_call(const fieldcrm::LoadedPlugin* owner, bool writes_allowed,
                fieldcrm::PluginReads* store_reads = nullptr)
      : plugin(owner), may_write(writes_allowed), reads(store_reads) {}
  const fieldcrm::LoadedPlugin* plugin;
  bool may_write;
  fieldcrm::PluginReads* reads;
  std::vector<fieldcrm::ProposedRecord> proposed;
  std::vector<fieldcrm::PluginAlert> alerts;
  std::string result;
  std::string violation;
  std::string host_failure;         // a read the host could not answer (not the plugin's fault)
  std::deque<std::string> answers;  // what reads returned: valid until the hook returns
};

namespace fieldcrm {

using nlohmann::json;
namespace checks = sdk::checks;

namespace {

fieldcrm_status HostWrite(fieldcrm_call* call, fieldcrm_str kind, fieldcrm_str key,
                          fieldcrm_str fields_json) {
  if (!call->violation.empty()) return FIELDCRM_FAILED;
  if (!call->may_write) {
    call->violation = "wrote a record outside review and calls made with the store";
    return FIELDCRM_FAILED;
  }
  try {
    json fields = checks::CheckWrite(call->plugin->manifest(), sdk::ToView(kind), sdk::ToView(key),
                                     sdk::ToView(fields_json));
    std::string kind_text(sdk::ToView(kind));
    std::string id =
        NameUuid(call->plugin->name() + "/" + kind_text + "/" + std::string(sdk::ToView(key)));
    call->proposed.push_back({kind_text, id, std::move(fields)});
    return FIELDCRM_OK;
  } catch (const std::exception& e) {
    call->violation = e.what();
    return FIELDCRM_FAILED;
  }
}

void HostAlert(fieldcrm_call* call, fieldcrm_str rule, int64_t due_ms, fieldcrm_str message) {
  call->alerts.push_back(
      {std::string(sdk::ToView(rule)), due_ms, std::string(sdk::ToView(message))});
}

void HostSetResult(fieldcrm_call* call, fieldcrm_str json) {
  call->result.assign(json.data, json.size);
}

// Whether the plugin may read now (a call made with the store) and reads a kind it writes;
// records the violation otherwise.
bool MayRead(fieldcrm_call* call, std::string_view kind) {
  if (!call->violation.empty()) return false;
  if (call->reads == nullptr) {
    call->violation = "read the store outside a call made with the store";
    return false;
  }
  const json& writes = call->plugin->manifest()["writes"];
  if (!kind.empty() && std::find(writes.begin(), writes.end(), kind) == writes.end()) {
    call->violation = "read '" + std::string(kind) +
                      "' records, which its manifest does not list under \"writes\"";
    return false;
  }
  return true;
}

// Keeps text for the rest of the hook and points out at it.
fieldcrm_status Answer(fieldcrm_call* call, std::string text, fieldcrm_str* out,
                       fieldcrm_status status = FIELDCRM_OK) {
  const std::string& kept = call->answers.emplace_back(std::move(text));
  *out = sdk::ToStr(kept);
  return status;
}

fieldcrm_status HostReadRecords(fieldcrm_call* call, fieldcrm_str kind, fieldcrm_str field,
                                fieldcrm_str value, fieldcrm_str* records_json) {
  *records_json = {nullptr, 0};
  if (kind.size == 0) call->violation = "read records without a kind";
  if (!MayRead(call, sdk::ToView(kind))) return FIELDCRM_FAILED;
  try {
    return Answer(
        call,
        call->reads->Records(std::string(sdk::ToView(kind)), std::string(sdk::ToView(field)),
                             std::string(sdk::ToView(value))),
        records_json);
  } catch (const std::exception& e) {
    call->host_failure = e.what();
    return FIELDCRM_FAILED;
  }
}

fieldcrm_status HostFindCustomer(fieldcrm_call* call, fieldcrm_str phone,
                                 fieldcrm_str* customer_json) {
  *customer_json = {nullptr, 0};
  if (!MayRead(call, {})) return FIELDCRM_FAILED;
  try {
    return Answer(call, call->reads->CustomerByPhone(std::string(sdk::ToView(phone))),
                  customer_json);
  } catch (const InvalidInput& e) {
    return Answer(call, e.what(), customer_json, FIELDCRM_REJECTED);
  } catch (const std::exception& e) {
    call->host_failure = e.what();
    return FIELDCRM_FAILED;
  }
}

// The context is the LoadedPlugin itself, so the line names the plugin.
void HostLog(fieldcrm_host_context* context, int32_t level, fieldcrm_str message) {
  const auto* plugin = reinterpret_cast<const LoadedPlugin*>(context);
  std::cerr << "fieldcrm: plugin '" << plugin->name()
            << (level == FIELDCRM_LOG_WARNING ? "' warning: " : "': ") << sdk::ToView(message)
            << '\n';
}

int32_t HostOpenComplaints(fieldcrm_host_context* context, size_t index) {
  // Only in-process plugins get this table (an isolated plugin's process has its own host).
  const auto* plugin =
      static_cast<const InProcessPlugin*>(reinterpret_cast<const LoadedPlugin*>(context));
  return plugin->OpenComplaintsOf(index);
}

// Long enough for any useful message; a longer one is cut, never overrun.
constexpr size_t kErrorCapacity = 1024;

}  // namespace

LoadedPlugin::~LoadedPlugin() = default;

std::string LoadedPlugin::Describe() const {
  std::string where = file_.filename().string();
  return name_.empty() ? "plugin file '" + where + "'" : "plugin '" + name_ + "' (" + where + ")";
}

void LoadedPlugin::SetManifest(json manifest, const std::string& api_version) {
  manifest_ = std::move(manifest);
  name_ = manifest_["name"];
  kind_ = manifest_["kind"];
  manifest_["api_version"] = api_version;
  manifest_["file"] = file_.string();
}

PluginError LoadedPlugin::Disable(const std::string& reason) {
  if (disabled_reason_.empty()) disabled_reason_ = reason;
  return PluginError(Describe() + " disabled: " + reason);
}

InProcessPlugin::InProcessPlugin(const std::filesystem::path& file) : LoadedPlugin(file) {
  auto refuse = [&](const std::string& reason) {
    return PluginRefused(name_, Describe() + " refused: " + reason);
  };
  try {
    library_.load(boost::dll::fs::path(file.string()),
                  boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw refuse(std::string("not a loadable shared library (") + e.what() + ")");
  }
  if (!library_.has(FIELDCRM_PLUGIN_INFO_SYMBOL) || !library_.has(FIELDCRM_PLUGIN_ENTRY_SYMBOL)) {
    throw refuse("not a fieldcrm plugin: no '" FIELDCRM_PLUGIN_INFO_SYMBOL
                 "' and '" FIELDCRM_PLUGIN_ENTRY_SYMBOL "' symbols");
  }
  // Data only: nothing in the library has run yet.
  const auto& info = library_.get<const fieldcrm_info>(FIELDCRM_PLUGIN_INFO_SYMBOL);
  try {
    checks::CheckApiVersion(info);
  } catch (const std::invalid_argument& e) {
    throw refuse(e.what());
  }
  json manifest;
  try {
    manifest = checks::CheckManifest(info.manifest);
  } catch (const std::exception& e) {
    throw refuse(std::string("bad manifest: ") + e.what());
  }
  SetManifest(std::move(manifest),
              std::to_string(info.api_major) + "." + std::to_string(info.api_minor));

  api_ = library_.get<const fieldcrm_plugin_api*()>(FIELDCRM_PLUGIN_ENTRY_SYMBOL)();
  if (api_ == nullptr) throw refuse("its entry point returned nothing");
  try {
    checks::CheckHooks(manifest_, *api_);
  } catch (const std::invalid_argument& e) {
    throw refuse(e.what());
  }
  host_api_ = {sizeof(fieldcrm_host_api),
               FIELDCRM_API_MAJOR,
               FIELDCRM_API_MINOR,
               reinterpret_cast<fieldcrm_host_context*>(static_cast<LoadedPlugin*>(this)),
               &HostWrite,
               &HostAlert,
               &HostSetResult,
               &HostLog,
               &HostReadRecords,
               &HostFindCustomer,
               &HostOpenComplaints};
  char message[kErrorCapacity] = "";
  fieldcrm_error error{message, sizeof message};
  instance_ = api_->create(&host_api_, &error);
  if (instance_ == nullptr) throw refuse(std::string("create failed: ") + message);
}

InProcessPlugin::~InProcessPlugin() {
  if (instance_ != nullptr) api_->destroy(instance_);
}

bool InProcessPlugin::HasReview() const {
  return FIELDCRM_HAS(fieldcrm_plugin_api, api_, review);
}

bool InProcessPlugin::HasAlerts() const {
  return FIELDCRM_HAS(fieldcrm_plugin_api, api_, alerts);
}

template <typename Hook>
void InProcessPlugin::Run(std::string_view what, const fieldcrm_call* call, Hook&& hook) {
  if (!usable()) throw PluginError(Describe() + " is disabled: " + disabled_reason_);
  char message[kErrorCapacity] = "";
  fieldcrm_error error{message, sizeof message};
  fieldcrm_status status = hook(&error);
  if (call != nullptr && !call->violation.empty()) {
    throw Disable(std::string(what) + ": " + call->violation);
  }
  if (call != nullptr && !call->host_failure.empty()) {
    throw PluginError(Describe() + ": " + std::string(what) + ": " + call->host_failure);
  }
  switch (status) {
    case FIELDCRM_OK:
      return;
    case FIELDCRM_REJECTED:
      throw InvalidInput("plugin '" + name_ + "' rejected " + std::string(what) + ": " + message);
    case FIELDCRM_FAILED:
      throw Disable(std::string(what) + " failed: " + message);
  }
  throw Disable(std::string(what) + " returned the unknown status " + std::to_string(status));
}

void InProcessPlugin::Configure(const std::string& config_json) {
  Run("its config", nullptr, [&](fieldcrm_error* error) {
    return api_->configure(instance_, sdk::ToStr(config_json), error);
  });
}

bool InProcessPlugin::CheckConfig(const std::string& config_json) {
  if (!FIELDCRM_HAS(fieldcrm_plugin_api, api_, check_config)) {
    Configure(config_json);
    return false;
  }
  Run("its config", nullptr, [&](fieldcrm_error* error) {
    return api_->check_config(instance_, sdk::ToStr(config_json), error);
  });
  return true;
}

// Lends the plugin the open complaints of the customers in a hook, for the host's
// open_complaints, and takes them back when the hook ends.
class OpenComplaintsLent {
 public:
  OpenComplaintsLent(const int32_t*& slot, size_t& count, const int32_t* lent, size_t lent_count)
      : slot_(slot), count_(count) {
    slot_ = lent;
    count_ = lent_count;
  }
  ~OpenComplaintsLent() {
    slot_ = nullptr;
    count_ = 0;
  }
  OpenComplaintsLent(const OpenComplaintsLent&) = delete;
  OpenComplaintsLent& operator=(const OpenComplaintsLent&) = delete;

 private:
  const int32_t*& slot_;
  size_t& count_;
};

void InProcessPlugin::Grade(const fieldcrm_customer_facts* facts, fieldcrm_tier_grade* grades,
                            size_t count, int64_t as_of_ms, const int32_t* open_complaints) {
  if (!FIELDCRM_HAS(fieldcrm_plugin_api, api_, grade))
    throw PluginError(Describe() + " does not grade");
  OpenComplaintsLent lent(open_complaints_, graded_count_, open_complaints, count);
  Run("grading customers", nullptr, [&](fieldcrm_error* error) {
    return api_->grade(instance_, facts, grades, count, as_of_ms, error);
  });
  for (size_t i = 0; i < count; ++i) {
    try {
      checks::CheckGrade(grades[i]);
    } catch (const std::invalid_argument& e) {
      throw Disable(e.what());
    }
  }
}

std::string InProcessPlugin::Explain(const fieldcrm_customer_facts& facts, int64_t as_of_ms,
                                     int32_t open_complaints) {
  if (!FIELDCRM_HAS(fieldcrm_plugin_api, api_, explain)) {
    throw PluginError(Describe() + " does not explain grades");
  }
  OpenComplaintsLent lent(open_complaints_, graded_count_, &open_complaints, 1);
  fieldcrm_call call(this, false);
  Run("explaining a grade", &call, [&](fieldcrm_error* error) {
    return api_->explain(instance_, &facts, as_of_ms, &call, error);
  });
  return std::move(call.result);
}

std::vector<ProposedRecord> InProcessPlugin::Review(const fieldcrm_customer_view& customer) {
  fieldcrm_call call(this, true);
  if (!HasReview()) return {};
  Run("reviewing customers", &call,
      [&](fieldcrm_error* error) { return api_->review(instance_, &customer, &call, error); });
  return std::move(call.proposed);
}

std::vector<PluginAlert> InProcessPlugin::Alerts(const fieldcrm_customer_view& customer) {
  fieldcrm_call call(this, false);
  if (!HasAlerts()) return {};
  Run("listing alerts", &call,
      [&](fieldcrm_error* error) { return api_->alerts(instance_, &customer, &call, error); });
  return std::move(call.alerts);
}

std::string InProcessPlugin::Call(std::string_view function, std::string_view input_json) {
  fieldcrm_call call(this, false);
  return RunCall(function, input_json, call).result;
}

CallOutcome InProcessPlugin::CallReading(std::string_view function, std::string_view input_json,
                                         PluginReads& reads) {
  fieldcrm_call call(this, true, &reads);
  return RunCall(function, input_json, call);
}

CallOutcome InProcessPlugin::RunCall(std::string_view function, std::string_view input_json,
                                     fieldcrm_call& call) {
  if (!FIELDCRM_HAS(fieldcrm_plugin_api, api_, call)) {
    throw PluginError(Describe() + " has no functions to call");
  }
  Run(function, &call, [&](fieldcrm_error* error) {
    return api_->call(instance_, sdk::ToStr(function), sdk::ToStr(input_json), &call, error);
  });
  return {std::move(call.result), std::move(call.proposed)};
}

}  // namespace fieldcrm
