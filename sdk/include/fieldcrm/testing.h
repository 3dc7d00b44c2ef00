// A test harness for plugin authors: unit-test your rules without a server, a store or fieldcrm
// itself. Compile your plugin's source into a test program and drive it exactly as the host
// does: the API version is checked, the manifest parsed, the plugin created, configured with
// default_config overlaid by your settings, called, and destroyed.
//
//   #include "fieldcrm/testing.h"
//   using namespace fieldcrm::sdk::testing;
//   Harness harness(fieldcrm_plugin_entry(), R"({"min_visits": 2})");
//   TestCustomer c;
//   c.Visit(Utc(2026, 6, 10)).Visit(Utc(2026, 6, 12));
//   auto alerts = harness.Alerts(c, Utc(2026, 6, 15));
//   Expect(alerts.size() == 1, "two visits make a hot lead");
//
// The host additionally validates configs against config_schema; the harness leaves that out.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "fieldcrm/plugin.h"

// Defined by FIELDCRM_PLUGIN in the plugin source compiled into the test.
extern "C" const ::fieldcrm::sdk::PluginEntry* fieldcrm_plugin_entry();

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

class Harness {
 public:
  explicit Harness(const PluginEntry* entry, const std::string& settings_json = "{}")
      : entry_(entry) {
    Expect(entry_ != nullptr, "the entry point returned nothing");
    Expect(entry_->api_version == kApiVersion,
           "built for API version " + std::to_string(entry_->api_version));
    manifest_ = nlohmann::json::parse(entry_->manifest);
    for (const char* field : {"name", "version", "kind", "description"}) {
      Expect(manifest_.contains(field), std::string("the manifest lacks \"") + field + "\"");
    }
    plugin_ = entry_->create();
    Configure(settings_json);
  }
  ~Harness() { entry_->destroy(plugin_); }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  const nlohmann::json& manifest() const { return manifest_; }
  Plugin& plugin() { return *plugin_; }

  // Overlays settings on the manifest's default_config and configures the plugin with it.
  void Configure(const std::string& settings_json) {
    nlohmann::json config = manifest_.value("default_config", nlohmann::json::object());
    config.merge_patch(nlohmann::json::parse(settings_json));
    plugin_->Configure(config.dump());
  }

  std::vector<TierGrade> Grade(const std::vector<CustomerFacts>& facts, int64_t as_of_ms) {
    std::vector<TierGrade> grades(facts.size());
    plugin_->Grade(facts.data(), grades.data(), facts.size(), as_of_ms);
    return grades;
  }

  std::vector<RecordedAlert> Alerts(const TestCustomer& customer, int64_t now_ms) {
    struct Sink : AlertSink {
      std::vector<RecordedAlert> alerts;
      void Alert(std::string_view rule, int64_t due_ms, std::string_view message) override {
        alerts.push_back({std::string(rule), due_ms, std::string(message)});
      }
    } sink;
    Texts texts(customer);
    plugin_->Alerts(texts.View(customer, now_ms), sink);
    return sink.alerts;
  }

  std::vector<RecordedWrite> Review(const TestCustomer& customer, int64_t now_ms) {
    struct Recorder : Writer {
      std::vector<RecordedWrite> writes;
      void Write(std::string_view kind, std::string_view key, std::string_view fields) override {
        writes.push_back({std::string(kind), std::string(key), nlohmann::json::parse(fields)});
      }
    } recorder;
    Texts texts(customer);
    plugin_->Review(texts.View(customer, now_ms), recorder);
    return recorder.writes;
  }

  nlohmann::json Call(const std::string& function, const nlohmann::json& input) {
    return nlohmann::json::parse(plugin_->Call(function, input.dump()));
  }

 private:
  // The JSON texts a view points into.
  struct Texts {
    std::string customer, interactions, deals, referrals_made, referred_by, survey_responses;
    explicit Texts(const TestCustomer& c)
        : customer(c.customer.dump()),
          interactions(c.interactions.dump()),
          deals(c.deals.dump()),
          referrals_made(c.referrals_made.dump()),
          referred_by(c.referred_by.dump()),
          survey_responses(c.survey_responses.dump()) {}
    CustomerView View(const TestCustomer& c, int64_t now_ms) const {
      return {c.id,        customer,         interactions, deals,   referrals_made,
              referred_by, survey_responses, &c.facts,     c.grade, now_ms};
    }
  };

  const PluginEntry* entry_;
  nlohmann::json manifest_;
  Plugin* plugin_ = nullptr;
};

}  // namespace fieldcrm::sdk::testing
