// Plugins as the host sees them (LoadedPlugin), and one plugin library loaded into this process
// (InProcessPlugin, Boost.DLL) and driven through the C ABI of fieldcrm/plugin_abi.h. Before any
// plugin code runs, the data symbol fieldcrm_plugin_info proves
// the API version and yields the manifest; then the entry point gives the hook table, whose
// struct_size and NULLs say which hooks exist. Every hook's status becomes a host error: a
// rejection is InvalidInput and the plugin stays usable; a failure (or a write breaking the rules)
// disables the plugin for the rest of the process. The plugin instance is destroyed by its own
// library before the library is unloaded.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin.h"  // the ABI, with its C++ names (sdk::TierGrade...)

namespace fieldcrm {

// Why a file was not loaded; plugin is its manifest name when it got that far.
class PluginRefused : public PluginError {
 public:
  PluginRefused(std::string plugin_name, const std::string& message)
      : PluginError(message), plugin(std::move(plugin_name)) {}
  std::string plugin;
};

// A record a Review proposed, checked against the manifest; id derived from (plugin, kind, key).
struct ProposedRecord {
  std::string kind, id;
  nlohmann::json fields;
};

// Something an Alerts hook reported as due for the customer in view.
struct PluginAlert {
  std::string rule;
  int64_t due_ms = 0;
  std::string message;
};

// What a plugin reads during a call made with the store at hand (API 2.3's read_records and
// find_customer): the store itself (StoreReads, plugin_call.h), or, inside a plugin-host process,
// the host answering over the channel (plugin_process.h).
class PluginReads {
 public:
  virtual ~PluginReads() = default;
  // JSON array text: the live records of kind whose string field equals value (every one of the
  // kind when field is empty), in id order, each document with its "id".
  virtual std::string Records(const std::string& kind, const std::string& field,
                              const std::string& value) = 0;
  // JSON text: the live customer with this phone (fields and "id"), or null. Throws InvalidInput
  // for text that is not a phone number.
  virtual std::string CustomerByPhone(const std::string& phone) = 0;
};

// What a call made with the store at hand answered, and the records it proposed.
struct CallOutcome {
  std::string result;
  std::vector<ProposedRecord> proposed;
};

// One loaded plugin, wherever it runs: in this process (InProcessPlugin) or in a supervised
// plugin-host process of its own (IsolatedPlugin, isolated_plugin.h). Calls on one LoadedPlugin
// must not overlap (the ABI's threading contract): callers serialise them.
class LoadedPlugin {
 public:
  virtual ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const std::string& name() const { return name_; }
  const std::string& kind() const { return kind_; }
  // The manifest as the plugin declared it (optional parts filled in), plus api_version ("2.1")
  // and file.
  const nlohmann::json& manifest() const { return manifest_; }
  bool usable() const { return disabled_reason_.empty(); }
  // What head office vouched for when the library came with a verified signature
  // (ToJson(PluginRelease): version, publisher, published_at, config...); null when unsigned.
  const nlohmann::json& release() const { return release_; }
  void SetRelease(nlohmann::json release) { release_ = std::move(release); }
  const std::string& disabled_reason() const { return disabled_reason_; }
  // Whether its code runs in a plugin-host process of its own.
  virtual bool isolated() const = 0;
  virtual bool HasReview() const = 0;
  virtual bool HasAlerts() const = 0;

  // The hooks (see plugin_abi.h). Each throws InvalidInput when the plugin rejects the input and
  // PluginError when it fails, is disabled, or lacks the hook.
  virtual void Configure(const std::string& config_json) = 0;
  // Would the plugin accept this config? Leaves the live config alone when the plugin has
  // check_config (API minor 1); an older plugin is configured with it instead, and returns false
  // so that the caller restores the previous config on rejection.
  virtual bool CheckConfig(const std::string& config_json) = 0;
  // open_complaints[i]: the open complaints of facts[i] (API 2.4's host open_complaints); null
  // when none is open.
  virtual void Grade(const fieldcrm_customer_facts* facts, fieldcrm_tier_grade* grades,
                     size_t count, int64_t as_of_ms, const int32_t* open_complaints) = 0;
  virtual std::string Explain(const fieldcrm_customer_facts& facts, int64_t as_of_ms,
                              int32_t open_complaints) = 0;
  virtual std::vector<ProposedRecord> Review(const fieldcrm_customer_view& customer) = 0;
  virtual std::vector<PluginAlert> Alerts(const fieldcrm_customer_view& customer) = 0;
  virtual std::string Call(std::string_view function, std::string_view input_json) = 0;
  // Call with the store at hand (API 2.3): the plugin may read through `reads` and propose
  // records, which the caller applies (CallWithStore in plugin_call.h does both).
  virtual CallOutcome CallReading(std::string_view function, std::string_view input_json,
                                  PluginReads& reads) = 0;

  // Marks the plugin unusable for the rest of this process; returns the error to report.
  PluginError Disable(const std::string& reason);

 protected:
  explicit LoadedPlugin(std::filesystem::path file) : file_(std::move(file)) {}
  // "plugin 'name' (file.so)", or "plugin file 'file.so'" before the manifest is known.
  std::string Describe() const;
  // Takes the checked manifest (name and kind from it) and adds api_version and file.
  void SetManifest(nlohmann::json manifest, const std::string& api_version);

  std::filesystem::path file_;
  std::string name_, kind_;
  nlohmann::json manifest_;
  nlohmann::json release_;
  std::string disabled_reason_;
};

// A plugin library loaded into this process with Boost.DLL. Throws PluginRefused naming the file
// (and the plugin, once known) and the reason when the file is not a shared library, lacks the
// info or entry symbols, was built for another API version, has a malformed manifest, lacks the
// hooks its kind needs, or fails while being created. A crash in its code is a crash of this
// process: only trusted plugins run this way where that matters (PluginIsolation).
class InProcessPlugin final : public LoadedPlugin {
 public:
  explicit InProcessPlugin(const std::filesystem::path& file);
  ~InProcessPlugin() override;

  bool isolated() const override { return false; }
  bool HasReview() const override;
  bool HasAlerts() const override;
  void Configure(const std::string& config_json) override;
  bool CheckConfig(const std::string& config_json) override;
  void Grade(const fieldcrm_customer_facts* facts, fieldcrm_tier_grade* grades, size_t count,
             int64_t as_of_ms, const int32_t* open_complaints) override;
  std::string Explain(const fieldcrm_customer_facts& facts, int64_t as_of_ms,
                      int32_t open_complaints) override;
  std::vector<ProposedRecord> Review(const fieldcrm_customer_view& customer) override;
  // What the host's open_complaints answers for index now (0 outside Grade and Explain).
  int32_t OpenComplaintsOf(size_t index) const {
    return index < graded_count_ && open_complaints_ != nullptr ? open_complaints_[index] : 0;
  }
  std::vector<PluginAlert> Alerts(const fieldcrm_customer_view& customer) override;
  std::string Call(std::string_view function, std::string_view input_json) override;
  CallOutcome CallReading(std::string_view function, std::string_view input_json,
                          PluginReads& reads) override;

 private:
  // Runs hook(error buffer) and turns its status, and any write the host refused, into errors.
  template <typename Hook>
  void Run(std::string_view what, const fieldcrm_call* call, Hook&& hook);
  // The call hook with the host state of call (what it may read and write).
  CallOutcome RunCall(std::string_view function, std::string_view input_json, fieldcrm_call& call);

  boost::dll::shared_library library_;
  const fieldcrm_plugin_api* api_ = nullptr;
  fieldcrm_host_api host_api_{};
  fieldcrm_plugin* instance_ = nullptr;
  // The open complaints of the customers being graded or explained, during that hook only.
  const int32_t* open_complaints_ = nullptr;
  size_t graded_count_ = 0;
};

}  // namespace fieldcrm
