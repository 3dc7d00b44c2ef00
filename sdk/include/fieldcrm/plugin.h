// The fieldcrm plugin SDK for C++: a header-only adapter over the C ABI (fieldcrm/plugin_abi.h).
// A plugin is a default-constructible class with the hooks its kind needs, exported with
// FIELDCRM_PLUGIN(Class, manifest):
//
//   class HotLead {
//    public:
//     void Configure(std::string_view config_json);                        // required
//     void Alerts(const fieldcrm::sdk::CustomerView& c, fieldcrm::sdk::AlertSink& sink);
//   };
//   FIELDCRM_PLUGIN(HotLead, R"json({"name": "hot-lead", ...})json")
//
// Optional hooks, found by their signatures (a hook the class lacks is NULL in the C table, so
// the host never calls it):
//   void Grade(const CustomerFacts* facts, TierGrade* grades, size_t count, int64_t as_of_ms);
//   std::string Explain(const CustomerFacts& facts, int64_t as_of_ms);   // JSON, see plugin_abi.h
//     (API 2.4: inside either, OpenComplaints(i) says how many complaints of facts[i] are open)
//   void Review(const CustomerView& customer, Writer& writer);
//   void Alerts(const CustomerView& customer, AlertSink& sink);
//   std::string Call(std::string_view function, std::string_view input_json);
//   std::string Call(std::string_view function, std::string_view input_json, CallHost& host);
//     (API 2.3: the same, with the store at hand when the host calls with it: see CallHost)
//
// Errors: throw std::invalid_argument to reject input (a bad config, a malformed survey); the
// host reports it and keeps the plugin. Any other exception means the plugin is broken: the host
// disables it and says why. The adapter catches everything at the boundary, so no exception and
// no std::string ever crosses it; the threading contract is the one in plugin_abi.h (one call at
// a time per instance). The library is built with hidden visibility: only the two symbols below
// are exported.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fieldcrm/plugin_abi.h"

namespace fieldcrm::sdk {

inline constexpr uint32_t kApiMajor = FIELDCRM_API_MAJOR;
inline constexpr uint32_t kApiMinor = FIELDCRM_API_MINOR;

using CustomerFacts = ::fieldcrm_customer_facts;
using TierGrade = ::fieldcrm_tier_grade;

enum Stage : int32_t {
  kProspect = FIELDCRM_PROSPECT,
  kIntent = FIELDCRM_INTENT,
  kBuyer = FIELDCRM_BUYER,
  kOwner = FIELDCRM_OWNER
};
enum Segment : uint8_t {
  kCore = FIELDCRM_CORE,
  kPotential = FIELDCRM_POTENTIAL,
  kDeveloping = FIELDCRM_DEVELOPING,
  kDormant = FIELDCRM_DORMANT
};

inline std::string_view ToView(fieldcrm_str text) {
  return {text.data, text.size};
}
inline fieldcrm_str ToStr(std::string_view text) {
  return {text.data(), text.size()};
}

// A read-only view of one customer, valid only during the call it is passed to (the fields are
// those of fieldcrm_customer_view).
struct CustomerView {
  std::string_view id, customer, interactions, deals, referrals_made, referred_by, survey_responses;
  const CustomerFacts* facts = nullptr;
  TierGrade grade;
  int64_t now_ms = 0;
  // API 2.2; "[]" from an older host.
  std::string_view complaints = "[]", repairs = "[]";

  static CustomerView From(const fieldcrm_customer_view& c) {
    bool has_cases = c.struct_size >= offsetof(fieldcrm_customer_view, repairs) + sizeof(c.repairs);
    auto cases = [&](const fieldcrm_str& text) {
      return has_cases && text.data != nullptr ? ToView(text) : std::string_view("[]");
    };
    return {ToView(c.id),
            ToView(c.customer),
            ToView(c.interactions),
            ToView(c.deals),
            ToView(c.referrals_made),
            ToView(c.referred_by),
            ToView(c.survey_responses),
            c.facts,
            c.grade,
            c.now_ms,
            cases(c.complaints),
            cases(c.repairs)};
  }
};

// How a Review proposes records (fieldcrm_host_api::write says what the host checks). A write
// the host refuses ends the hook: the host disables the plugin and says why.
class Writer {
 public:
  Writer(const fieldcrm_host_api& host, fieldcrm_call* call) : host_(host), call_(call) {}
  void Write(std::string_view kind, std::string_view key, std::string_view fields_json) {
    if (host_.write(call_, ToStr(kind), ToStr(key), ToStr(fields_json)) != FIELDCRM_OK) {
      throw std::logic_error("the host refused a '" + std::string(kind) + "' write");
    }
  }

 private:
  const fieldcrm_host_api& host_;
  fieldcrm_call* call_;
};

// Where Alerts reports what is due: rule names the rule ("churn-risk"); due_ms is when it fell due.
class AlertSink {
 public:
  AlertSink(const fieldcrm_host_api& host, fieldcrm_call* call) : host_(host), call_(call) {}
  void Alert(std::string_view rule, int64_t due_ms, std::string_view message) {
    host_.alert(call_, ToStr(rule), due_ms, ToStr(message));
  }

 private:
  const fieldcrm_host_api& host_;
  fieldcrm_call* call_;
};

// What a Call may do besides answering (API 2.3) when the host calls it with the store at hand,
// as a reception tablet does for a walk-in: read the plugin's own records, look a customer up by
// phone, and propose records exactly as a Review does (applied when the call succeeds).
class CallHost {
 public:
  CallHost(const fieldcrm_host_api& host, fieldcrm_call* call) : host_(host), call_(call) {}
  // Whether the host can read for this call (2.3 or newer, and called with the store).
  bool CanRead() const { return FIELDCRM_HAS(fieldcrm_host_api, &host_, read_records); }
  // The JSON array of the records of `kind` (one the manifest writes) whose string `field`
  // equals `value`; every record of the kind when field is empty.
  std::string Records(std::string_view kind, std::string_view field = {},
                      std::string_view value = {}) {
    fieldcrm_str out{nullptr, 0};
    if (!CanRead() ||
        host_.read_records(call_, ToStr(kind), ToStr(field), ToStr(value), &out) != FIELDCRM_OK) {
      throw std::logic_error("the host refused to read '" + std::string(kind) + "' records");
    }
    return std::string(ToView(out));
  }
  // The customer with this phone as a JSON object (with "id" and "agent"), or "null". Throws
  // std::invalid_argument for text that is not a phone number.
  std::string CustomerByPhone(std::string_view phone) {
    fieldcrm_str out{nullptr, 0};
    if (!FIELDCRM_HAS(fieldcrm_host_api, &host_, find_customer)) {
      throw std::logic_error("the host cannot look customers up (plugin API 2.3 needed)");
    }
    fieldcrm_status status = host_.find_customer(call_, ToStr(phone), &out);
    if (status == FIELDCRM_REJECTED) throw std::invalid_argument(std::string(ToView(out)));
    if (status != FIELDCRM_OK) throw std::logic_error("the host refused to look a customer up");
    return std::string(ToView(out));
  }
  void Write(std::string_view kind, std::string_view key, std::string_view fields_json) {
    Writer(host_, call_).Write(kind, key, fields_json);
  }

 private:
  const fieldcrm_host_api& host_;
  fieldcrm_call* call_;
};

// What Call throws for a function the plugin does not have.
inline std::invalid_argument UnknownFunction(std::string_view function) {
  return std::invalid_argument("unknown function '" + std::string(function) + "'");
}

namespace detail {

// The host of the hook running on this thread, for Log.
inline thread_local const fieldcrm_host_api* current_host = nullptr;

}  // namespace detail

// A line in the host's log, attributed to this plugin. Only inside a hook (e.g. Configure).
inline void Log(std::string_view message, int32_t level = FIELDCRM_LOG_INFO) {
  const fieldcrm_host_api* host = detail::current_host;
  if (host != nullptr) host->log(host->context, level, ToStr(message));
}

// API 2.4, inside Grade and Explain only: how many complaints of the customer at facts[index] of
// the call (Explain: index 0) were open at its as-of time. 0 from a host older than 2.4.
inline int32_t OpenComplaints(size_t index) {
  const fieldcrm_host_api* host = detail::current_host;
  if (host == nullptr || !FIELDCRM_HAS(fieldcrm_host_api, host, open_complaints)) return 0;
  return host->open_complaints(host->context, index);
}

namespace detail {

inline void SetError(fieldcrm_error* error, std::string_view message) {
  if (error == nullptr || error->message == nullptr || error->capacity == 0) return;
  size_t size = std::min(message.size(), error->capacity - 1);
  std::memcpy(error->message, message.data(), size);
  error->message[size] = '\0';
}

// Runs fn with every exception turned into a status and a message: nothing unwinds into the host.
template <typename Fn>
fieldcrm_status Guard(const fieldcrm_host_api* host, fieldcrm_error* error, Fn&& fn) noexcept {
  const fieldcrm_host_api* outer = current_host;
  current_host = host;
  fieldcrm_status status = FIELDCRM_OK;
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    SetError(error, e.what());
    status = FIELDCRM_REJECTED;
  } catch (const std::exception& e) {
    SetError(error, e.what());
    status = FIELDCRM_FAILED;
  } catch (...) {
    SetError(error, "a non-standard exception");
    status = FIELDCRM_FAILED;
  }
  current_host = outer;
  return status;
}

template <typename P>
concept HasGrade = requires(P& p, const CustomerFacts* f, TierGrade* g, size_t n, int64_t t) {
  p.Grade(f, g, n, t);
};
template <typename P>
concept HasExplain = requires(P& p, const CustomerFacts& f, int64_t t) {
  { p.Explain(f, t) } -> std::convertible_to<std::string_view>;
};
template <typename P>
concept HasReview = requires(P& p, const CustomerView& c, Writer& w) {
  p.Review(c, w);
};
template <typename P>
concept HasAlerts = requires(P& p, const CustomerView& c, AlertSink& s) {
  p.Alerts(c, s);
};
template <typename P>
concept HasPlainCall = requires(P& p, std::string_view f, std::string_view in) {
  { p.Call(f, in) } -> std::convertible_to<std::string_view>;
};
template <typename P>
concept HasHostCall = requires(P& p, std::string_view f, std::string_view in, CallHost& h) {
  { p.Call(f, in, h) } -> std::convertible_to<std::string_view>;
};
template <typename P>
concept HasCall = HasPlainCall<P> || HasHostCall<P>;

// The C table for plugin class P: each hook unwraps the instance and guards the call.
template <typename P>
struct Adapter {
  struct Instance {
    P plugin;
    const fieldcrm_host_api* host;
  };
  static Instance& Of(fieldcrm_plugin* plugin) { return *reinterpret_cast<Instance*>(plugin); }

  static fieldcrm_plugin* Create(const fieldcrm_host_api* host, fieldcrm_error* error) noexcept {
    Instance* instance = nullptr;
    Guard(host, error, [&] { instance = new Instance{P(), host}; });
    return reinterpret_cast<fieldcrm_plugin*>(instance);
  }
  static void Destroy(fieldcrm_plugin* plugin) noexcept {
    Instance* instance = &Of(plugin);
    Guard(instance->host, nullptr, [&] { delete instance; });
  }
  static fieldcrm_status Configure(fieldcrm_plugin* plugin, fieldcrm_str config,
                                   fieldcrm_error* error) noexcept {
    Instance& i = Of(plugin);
    return Guard(i.host, error, [&] { i.plugin.Configure(ToView(config)); });
  }
  static fieldcrm_status CheckConfig(fieldcrm_plugin* plugin, fieldcrm_str config,
                                     fieldcrm_error* error) noexcept {
    // A fresh instance takes the config, so the live one keeps its own.
    return Guard(Of(plugin).host, error, [&] { P().Configure(ToView(config)); });
  }
  static fieldcrm_status Grade(fieldcrm_plugin* plugin, const CustomerFacts* facts,
                               TierGrade* grades, size_t count, int64_t as_of_ms,
                               fieldcrm_error* error) noexcept {
    Instance& i = Of(plugin);
    return Guard(i.host, error, [&] { i.plugin.Grade(facts, grades, count, as_of_ms); });
  }
  static fieldcrm_status Explain(fieldcrm_plugin* plugin, const CustomerFacts* facts,
                                 int64_t as_of_ms, fieldcrm_call* call,
                                 fieldcrm_error* error) noexcept {
    Instance& i = Of(plugin);
    return Guard(i.host, error, [&] {
      std::string result(i.plugin.Explain(*facts, as_of_ms));
      i.host->set_result(call, ToStr(result));
    });
  }
  static fieldcrm_status Review(fieldcrm_plugin* plugin, const fieldcrm_customer_view* customer,
                                fieldcrm_call* call, fieldcrm_error* error) noexcept {
    Instance& i = Of(plugin);
    return Guard(i.host, error, [&] {
      Writer writer(*i.host, call);
      i.plugin.Review(CustomerView::From(*customer), writer);
    });
  }
  static fieldcrm_status Alerts(fieldcrm_plugin* plugin, const fieldcrm_customer_view* customer,
                                fieldcrm_call* call, fieldcrm_error* error) noexcept {
    Instance& i = Of(plugin);
    return Guard(i.host, error, [&] {
      AlertSink sink(*i.host, call);
      i.plugin.Alerts(CustomerView::From(*customer), sink);
    });
  }
  static fieldcrm_status Call(fieldcrm_plugin* plugin, fieldcrm_str function, fieldcrm_str input,
                              fieldcrm_call* call, fieldcrm_error* error) noexcept {
    Instance& i = Of(plugin);
    return Guard(i.host, error, [&] {
      std::string result;
      if constexpr (HasHostCall<P>) {
        CallHost host(*i.host, call);
        result = i.plugin.Call(ToView(function), ToView(input), host);
      } else {
        result = i.plugin.Call(ToView(function), ToView(input));
      }
      i.host->set_result(call, ToStr(result));
    });
  }

  // The hooks P has; the others stay NULL (a discarded branch is never instantiated).
  static constexpr auto kGrade = []() -> decltype(fieldcrm_plugin_api::grade) {
    if constexpr (HasGrade<P>) return &Grade;
    return nullptr;
  }();
  static constexpr auto kExplain = []() -> decltype(fieldcrm_plugin_api::explain) {
    if constexpr (HasExplain<P>) return &Explain;
    return nullptr;
  }();
  static constexpr auto kReview = []() -> decltype(fieldcrm_plugin_api::review) {
    if constexpr (HasReview<P>) return &Review;
    return nullptr;
  }();
  static constexpr auto kAlerts = []() -> decltype(fieldcrm_plugin_api::alerts) {
    if constexpr (HasAlerts<P>) return &Alerts;
    return nullptr;
  }();
  static constexpr auto kCall = []() -> decltype(fieldcrm_plugin_api::call) {
    if constexpr (HasCall<P>) return &Call;
    return nullptr;
  }();

  static const fieldcrm_plugin_api* Table() {
    static const fieldcrm_plugin_api table = {
        sizeof(fieldcrm_plugin_api),
        &Create,
        &Destroy,
        &Configure,
        kGrade,
        kExplain,
        kReview,
        kAlerts,
        kCall,
        &CheckConfig,
    };
    return &table;
  }
};

}  // namespace detail
}  // namespace fieldcrm::sdk

// Exports the plugin's metadata (the data symbol, readable without running plugin code) and its
// entry point for PluginClass with its manifest (a JSON string literal). Use it exactly once per
// plugin library.
#define FIELDCRM_PLUGIN(PluginClass, manifest_json)                                  \
  extern "C" FIELDCRM_EXPORT const fieldcrm_info fieldcrm_plugin_info = {            \
      sizeof(fieldcrm_info), FIELDCRM_API_MAJOR, FIELDCRM_API_MINOR, manifest_json}; \
  extern "C" FIELDCRM_EXPORT const fieldcrm_plugin_api* fieldcrm_plugin_entry() {    \
    return ::fieldcrm::sdk::detail::Adapter<PluginClass>::Table();                   \
  }
