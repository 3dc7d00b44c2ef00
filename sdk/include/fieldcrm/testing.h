// A test harness for plugin authors: unit-test your rules without a server, a store or fieldcrm
// itself. Compile your plugin's source into a test program; the harness is a host: it reads the
// plugin's info symbol, runs the host's own checks (fieldcrm/plugin_checks.h: API version,
// manifest, hooks, config schema, writes allow-list and reserved fields, tier codes, explanation
// schema), creates the plugin through its C table, configures it with default_config overlaid by
// your settings, calls it, and destroys it. A plugin that passes here passes the host's checks.
//
//   #include "fieldcrm/testing.h"
//   using namespace fieldcrm::sdk::testing;
//   Harness harness(R"({"min_visits": 2})");
//   TestCustomer c;
//   c.Visit(Utc(2026, 6, 10)).Visit(Utc(2026, 6, 12));
//   auto alerts = harness.Alerts(c, Utc(2026, 6, 15));
//   Expect(alerts.size() == 1, "two visits make a hot lead");
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "fieldcrm/plugin.h"
#include "fieldcrm/plugin_checks.h"

// Defined by FIELDCRM_PLUGIN in the plugin source compiled into the test.
extern "C" const fieldcrm_info fieldcrm_plugin_info;
extern "C" const fieldcrm_plugin_api* fieldcrm_plugin_entry();

namespace fieldcrm::sdk::testing {

// Unix milliseconds of a UTC time.
inline int64_t Utc(int year, unsigned month, unsigned day, int hour = 0, int minute = 0) {
  using namespace std::chrono;
  auto date = sys_days(std::chrono::year(year) / month / day);
  return duration_cast<milliseconds>(date.time_since_epoch() + hours(hour) + minutes(minute))
      .count();
}

// The ISO-8601 text the host stores times as ("2026-06-15T12:00:00Z").
inline std::string Iso(int64_t ms) {
  using namespace std::chrono;
  auto time = sys_time<milliseconds>(milliseconds(ms));
  auto day = floor<days>(time);
  year_month_day date(day);
  hh_mm_ss clock(floor<seconds>(time - day));
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(clock.hours().count()),
                int(clock.minutes().count()), int(clock.seconds().count()));
  return text;
}

// Throws std::runtime_error with message unless ok: use it or your test framework's checks.
inline void Expect(bool ok, const std::string& message) {
  if (!ok) throw std::runtime_error("expectation failed: " + message);
}

// A customer as a plugin sees it. Fill in the JSON the way the host does (see CustomerView in
// plugin.h) and the facts your rules read; the helpers keep both in step for the common cases.
struct TestCustomer {
  std::string id = "00000000-0000-7000-8000-000000000001";
  nlohmann::json customer = {{"name", "测试客户"}, {"stage", "prospect"}};
  nlohmann::json interactions = nlohmann::json::array();
  nlohmann::json deals = nlohmann::json::array();
  nlohmann::json referrals_made = nlohmann::json::array();
  nlohmann::json referred_by = nlohmann::json::array();
  nlohmann::json survey_responses = nlohmann::json::array();
  nlohmann::json complaints = nlohmann::json::array();
  nlohmann::json repairs = nlohmann::json::array();
  CustomerFacts facts;
  TierGrade grade;

  TestCustomer& Visit(int64_t at_ms) { return Interaction("visit", at_ms); }
  TestCustomer& Contact(int64_t at_ms) { return Interaction("followup", at_ms); }
  TestCustomer& Interaction(const std::string& type, int64_t at_ms) {
    interactions.push_back({{"id", "i" + std::to_string(interactions.size())},
                            {"customer", id},
                            {"type", type},
                            {"at", Iso(at_ms)}});
    (type == "visit" ? facts.visits : facts.contacts)++;
    facts.last_interaction_ms = std::max(facts.last_interaction_ms, at_ms);
    return *this;
  }
  TestCustomer& SignedDeal(int64_t price_cny, int64_t at_ms) {
    deals.push_back({{"id", "d" + std::to_string(deals.size())},
                     {"customer", id},
                     {"price", price_cny},
                     {"status", "signed"},
                     {"signed_at", Iso(at_ms)}});
    facts.deals_signed++;
    facts.deals_amount_cny += price_cny;
    facts.last_signed_ms = std::max(facts.last_signed_ms, at_ms);
    return *this;
  }
};

struct RecordedAlert {
  std::string rule;
  int64_t due_ms;
  std::string message;
};

struct RecordedWrite {
  std::string kind, key;
  nlohmann::json fields;
};

}  // namespace fieldcrm::sdk::testing

// What the plugin handed back during one hook call (the harness's side of the host functions).
struct fieldcrm_call {
  const nlohmann::json* manifest = nullptr;
  std::vector<fieldcrm::sdk::testing::RecordedWrite> writes;
  std::vector<fieldcrm::sdk::testing::RecordedAlert> alerts;
  std::string result;
  std::string violation;
};

namespace fieldcrm::sdk::testing {

namespace checks = ::fieldcrm::sdk::checks;

// Drives the plugin compiled into the test through the same C table the host uses, with the
// host's own checks (fieldcrm/plugin_checks.h): API version, manifest, the hooks its kind needs,
// config schema, writes, tier codes. A check that fails throws std::invalid_argument; a hook that
// fails throws std::runtime_error with the plugin's message (std::invalid_argument when it
// rejected the input).
class Harness {
 public:
  explicit Harness(const std::string& settings_json = "{}") : api_(fieldcrm_plugin_entry()) {
    checks::CheckApiVersion(fieldcrm_plugin_info);
    manifest_ = checks::CheckManifest(fieldcrm_plugin_info.manifest);
    Expect(api_ != nullptr, "the entry point returned nothing");
    checks::CheckHooks(manifest_, *api_);
    host_ = {sizeof(fieldcrm_host_api), FIELDCRM_API_MAJOR, FIELDCRM_API_MINOR, nullptr, &Write,
             &Alert, &SetResult, &Log,
             // Calls with the store at hand (2.3) are not simulated: CallHost::CanRead() is false.
             nullptr, nullptr,
             // Open complaints (2.4): none in the harness unless a test grades through the host.
             nullptr};
    char message[1024] = "";
    fieldcrm_error error{message, sizeof message};
    plugin_ = api_->create(&host_, &error);
    Expect(plugin_ != nullptr, std::string("create failed: ") + message);
    Configure(settings_json);
  }
  ~Harness() { api_->destroy(plugin_); }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // The manifest with its optional parts filled in, as the host sees it.
  const nlohmann::json& manifest() const { return manifest_; }

  // Overlays settings on the manifest's default_config, validates the result against
  // config_schema and configures the plugin with it.
  void Configure(const std::string& settings_json) {
    nlohmann::json config = manifest_["default_config"];
    config.merge_patch(nlohmann::json::parse(settings_json));
    checks::ValidateJsonSchema(manifest_["config_schema"], config);
    std::string text = config.dump();
    Check("configure", nullptr,
          [&](fieldcrm_error* e) { return api_->configure(plugin_, ToStr(text), e); });
  }

  std::vector<TierGrade> Grade(const std::vector<CustomerFacts>& facts, int64_t as_of_ms) {
    std::vector<TierGrade> grades(facts.size());
    RequireHook(FIELDCRM_HAS(fieldcrm_plugin_api, api_, grade), "Grade");
    Check("grade", nullptr, [&](fieldcrm_error* e) {
      return api_->grade(plugin_, facts.data(), grades.data(), facts.size(), as_of_ms, e);
    });
    for (const TierGrade& grade : grades) checks::CheckGrade(grade);
    return grades;
  }

  // The explanation, checked against the schema `tier explain` prints.
  nlohmann::json Explain(const CustomerFacts& facts, int64_t as_of_ms) {
    RequireHook(FIELDCRM_HAS(fieldcrm_plugin_api, api_, explain), "Explain");
    fieldcrm_call call;
    Check("explain", &call,
          [&](fieldcrm_error* e) { return api_->explain(plugin_, &facts, as_of_ms, &call, e); });
    nlohmann::json explanation = nlohmann::json::parse(call.result);
    checks::CheckExplanation(explanation);
    return explanation;
  }

  std::vector<RecordedAlert> Alerts(const TestCustomer& customer, int64_t now_ms) {
    RequireHook(FIELDCRM_HAS(fieldcrm_plugin_api, api_, alerts), "Alerts");
    fieldcrm_call call;
    Texts texts(customer);
    fieldcrm_customer_view view = texts.View(customer, now_ms);
    Check("alerts", &call,
          [&](fieldcrm_error* e) { return api_->alerts(plugin_, &view, &call, e); });
    return call.alerts;
  }

  std::vector<RecordedWrite> Review(const TestCustomer& customer, int64_t now_ms) {
    RequireHook(FIELDCRM_HAS(fieldcrm_plugin_api, api_, review), "Review");
    fieldcrm_call call;
    call.manifest = &manifest_;
    Texts texts(customer);
    fieldcrm_customer_view view = texts.View(customer, now_ms);
    Check("review", &call,
          [&](fieldcrm_error* e) { return api_->review(plugin_, &view, &call, e); });
    return call.writes;
  }

  nlohmann::json Call(const std::string& function, const nlohmann::json& input) {
    RequireHook(FIELDCRM_HAS(fieldcrm_plugin_api, api_, call), "Call");
    fieldcrm_call call;
    std::string text = input.dump();
    Check(function, &call, [&](fieldcrm_error* e) {
      return api_->call(plugin_, ToStr(function), ToStr(text), &call, e);
    });
    return nlohmann::json::parse(call.result);
  }

  // Lines the plugin logged, oldest first.
  const std::vector<std::string>& log() const { return log_; }

 private:
  // The JSON texts a view points into.
  struct Texts {
    std::string customer, interactions, deals, referrals_made, referred_by, survey_responses,
        complaints, repairs;
    explicit Texts(const TestCustomer& c)
        : customer(c.customer.dump()),
          interactions(c.interactions.dump()),
          deals(c.deals.dump()),
          referrals_made(c.referrals_made.dump()),
          referred_by(c.referred_by.dump()),
          survey_responses(c.survey_responses.dump()),
          complaints(c.complaints.dump()),
          repairs(c.repairs.dump()) {}
    fieldcrm_customer_view View(const TestCustomer& c, int64_t now_ms) const {
      return {sizeof(fieldcrm_customer_view),
              ToStr(c.id),
              ToStr(customer),
              ToStr(interactions),
              ToStr(deals),
              ToStr(referrals_made),
              ToStr(referred_by),
              ToStr(survey_responses),
              &c.facts,
              c.grade,
              now_ms,
              ToStr(complaints),
              ToStr(repairs)};
    }
  };

  static void RequireHook(bool present, const char* hook) {
    Expect(present, std::string("the plugin has no ") + hook + " hook (check its signature)");
  }

  // Runs a hook that must exist, and turns its status and any refused write into exceptions.
  template <typename Hook>
  void Check(const std::string& what, const fieldcrm_call* call, Hook&& hook) {
    char message[1024] = "";
    fieldcrm_error error{message, sizeof message};
    current_log_ = &log_;
    fieldcrm_status status = hook(&error);
    if (call != nullptr && !call->violation.empty()) {
      throw std::invalid_argument(what + ": " + call->violation);
    }
    if (status == FIELDCRM_REJECTED) throw std::invalid_argument(what + " rejected: " + message);
    if (status != FIELDCRM_OK) throw std::runtime_error(what + " failed: " + message);
  }

  static fieldcrm_status Write(fieldcrm_call* call, fieldcrm_str kind, fieldcrm_str key,
                               fieldcrm_str fields) {
    try {
      nlohmann::json checked =
          checks::CheckWrite(*call->manifest, ToView(kind), ToView(key), ToView(fields));
      call->writes.push_back({std::string(ToView(kind)), std::string(ToView(key)), checked});
      return FIELDCRM_OK;
    } catch (const std::invalid_argument& e) {
      if (call->violation.empty()) call->violation = e.what();
      return FIELDCRM_FAILED;
    }
  }
  static void Alert(fieldcrm_call* call, fieldcrm_str rule, int64_t due_ms, fieldcrm_str message) {
    call->alerts.push_back({std::string(ToView(rule)), due_ms, std::string(ToView(message))});
  }
  static void SetResult(fieldcrm_call* call, fieldcrm_str json) {
    call->result.assign(json.data, json.size);
  }
  static void Log(fieldcrm_host_context*, int32_t, fieldcrm_str message) {
    if (current_log_ != nullptr) current_log_->emplace_back(ToView(message));
  }

  static inline thread_local std::vector<std::string>* current_log_ = nullptr;
  const fieldcrm_plugin_api* api_;
  nlohmann::json manifest_;
  fieldcrm_host_api host_{};
  fieldcrm_plugin* plugin_ = nullptr;
  std::vector<std::string> log_;
};

}  // namespace fieldcrm::sdk::testing
