// The fieldcrm plugin API, version 1. This header is everything a plugin needs: a plugin never
// includes fieldcrm's own (core/) headers, so the host can change freely behind this boundary.
//
// How loading works (modelled on SQLite's and DuckDB's loadable extensions):
//   1. The host opens the shared library with Boost.DLL and looks up ONE exported C symbol,
//      fieldcrm_plugin_entry, written for you by FIELDCRM_PLUGIN(...) below.
//   2. It reads PluginEntry::api_version (always the first field, in every API version) and
//      refuses the library unless it equals the host's FIELDCRM_PLUGIN_API_VERSION. Nothing else in
//      the library is touched before that check.
//   3. It parses the manifest (JSON: name, version, kind, description, config_schema,
//      default_config, writes), then create()s one Plugin and Configure()s it.
//   4. Before unloading it destroy()s that Plugin through the same library, so nothing a plugin
//      created outlives its code.
//
// What crosses the boundary is deliberately small: plain structs of numbers (the hot tiering
// path, in batches), JSON text (everything else) and the abstract classes below. Any change to
// them is a new API version. Plugins must be built with the same C++ standard library as the host
// (std::string and exceptions cross the boundary; both are ABI-stable in libstdc++).
//
// Errors: throw std::invalid_argument to reject input (a bad config, a malformed survey); the
// host reports it to the user and keeps the plugin. Any other exception means the plugin is
// broken: the host disables it for the rest of the process and says why. Either way nothing is
// written: the host applies a plugin's writes only after the plugin returned.
#pragma once

#include <boost/config.hpp>  // BOOST_SYMBOL_EXPORT, the export Boost.DLL documents for C symbols
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#define FIELDCRM_PLUGIN_API_VERSION 1
#define FIELDCRM_PLUGIN_ENTRY_SYMBOL "fieldcrm_plugin_entry"

namespace fieldcrm::sdk {

inline constexpr uint32_t kApiVersion = FIELDCRM_PLUGIN_API_VERSION;

// Lifecycle stages, in order (prospect 潜在 → intent 意向 → buyer 成交 → owner 老业主).
enum Stage : int32_t { kProspect = 0, kIntent = 1, kBuyer = 2, kOwner = 3 };

// One customer summarised as numbers: what grading rules look at. Times are unix milliseconds
// (0 = never); money is whole CNY (0 = unknown). Computed by the host from synced records only,
// so every replica computes the same facts.
struct CustomerFacts {
  int64_t budget_cny = 0;
  int32_t stage = kProspect;
  int32_t visits = 0;         // visits to the sales office or a show flat
  int32_t contacts = 0;       // calls and follow-up contacts (回访)
  int32_t visit_minutes = 0;  // time on site, summed over visits
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;  // latest visit, call or follow-up
  int32_t deals_signed = 0;         // deals signed or handed over
  int64_t deals_amount_cny = 0;     // their prices, summed
  int64_t last_signed_ms = 0;
  int32_t referrals_made = 0;    // customers this one brought (老带新)
  int32_t survey_responses = 0;  // responses carrying an NPS answer
  double satisfaction = -1;      // mean NPS answer (0..10) over those; -1 = no answer yet
};

// RFM segments: value (monetary) x activity (recency).
enum Segment : uint8_t {
  kCore = 1,        // high value, active
  kPotential = 2,   // high value, inactive
  kDeveloping = 3,  // low value, active
  kDormant = 4,     // low value, inactive
};

// A tiering plugin's verdict on one customer.
struct TierGrade {
  char tier = 0;                                     // 'A'..'D'; 0 = not graded
  uint8_t recency = 0, frequency = 0, monetary = 0;  // RFM scores, 1 (worst) .. 5 (best)
  uint8_t segment = 0;                               // a Segment
  float score = 0;                                   // weighted score, 0..100
};

// A read-only view of one customer, valid only during the call it is passed to. JSON arrays hold
// the records' documents (each with its "id"), oldest first.
struct CustomerView {
  std::string_view id;
  std::string_view customer;          // JSON object: the customer's fields
  std::string_view interactions;      // {type: visit|call|followup, at, agent, channel, ...}
  std::string_view deals;             // {unit, price, status, reserved_at, signed_at, ...}
  std::string_view referrals_made;    // {referrer, referee, at}: this customer is the referrer
  std::string_view referred_by;       // the same, where this customer is the referee
  std::string_view survey_responses;  // {survey, answers, nps, satisfaction, at, agent, team}
  const CustomerFacts* facts = nullptr;
  TierGrade grade;     // from the active tiering plugin; tier 0 when there is none
  int64_t now_ms = 0;  // the host's "as of" time: use it, never the clock, so replicas agree
};

// Host-owned: how a plugin changes data. Each Write creates the record of `kind` (one the
// manifest lists under "writes") whose id the host derives from (plugin, kind, key): the same
// key gives the same id on every replica, so two tablets granting the same thing converge on one
// record when they sync. An existing record is never overwritten: a grant is a fact.
class Writer {
 public:
  virtual void Write(std::string_view kind, std::string_view key, std::string_view fields_json) = 0;

 protected:
  ~Writer() = default;
};

// Host-owned: where a plugin reports what is due. rule names the rule ("churn-risk"); due_ms is
// when it fell due.
class AlertSink {
 public:
  virtual void Alert(std::string_view rule, int64_t due_ms, std::string_view message) = 0;

 protected:
  ~AlertSink() = default;
};

// What a plugin implements: Configure, plus the hooks its kind needs (the others keep their
// defaults).
class Plugin {
 public:
  virtual ~Plugin() = default;

  // The effective config: the manifest's default_config overlaid with head office's settings,
  // already validated against config_schema. Called before any other hook and on every change.
  virtual void Configure(std::string_view config_json) = 0;

  // Tiering plugins: grade count customers at once (the host passes large batches).
  virtual void Grade(const CustomerFacts* facts, TierGrade* grades, size_t count,
                     int64_t as_of_ms) {
    (void)facts, (void)grades, (void)count, (void)as_of_ms;
    throw std::logic_error("this plugin does not grade customers");
  }
  // Tiering plugins: why this customer gets its grade, as a JSON object.
  virtual std::string Explain(const CustomerFacts& facts, int64_t as_of_ms) {
    (void)facts, (void)as_of_ms;
    throw std::logic_error("this plugin does not grade customers");
  }

  // Called for every customer when the host reviews the store (after local writes and after
  // sync): create records that follow from the facts, e.g. a referral reward.
  virtual void Review(const CustomerView& customer, Writer& writer) {
    (void)customer, (void)writer;
  }

  // Called for every customer when someone asks what is due (fieldcrm alerts).
  virtual void Alerts(const CustomerView& customer, AlertSink& sink) { (void)customer, (void)sink; }

  // Named functions taking and returning JSON, for everything else (validating a survey,
  // computing a report). Unknown names: throw std::invalid_argument.
  virtual std::string Call(std::string_view function, std::string_view input_json) {
    (void)input_json;
    throw std::invalid_argument("unknown function '" + std::string(function) + "'");
  }
};

// What fieldcrm_plugin_entry returns. api_version stays the first field in every API version.
struct PluginEntry {
  uint32_t api_version;
  const char* manifest;  // JSON object, see the top of this file
  Plugin* (*create)();
  void (*destroy)(Plugin*);
};

}  // namespace fieldcrm::sdk

// Exports the entry point for PluginClass (default-constructible) with its manifest (a JSON
// string literal). Use it exactly once per plugin library.
#define FIELDCRM_PLUGIN(PluginClass, manifest_json)                                            \
  extern "C" BOOST_SYMBOL_EXPORT const ::fieldcrm::sdk::PluginEntry* fieldcrm_plugin_entry() { \
    static const ::fieldcrm::sdk::PluginEntry entry = {                                        \
        FIELDCRM_PLUGIN_API_VERSION, manifest_json,                                            \
        []() -> ::fieldcrm::sdk::Plugin* { return new PluginClass(); },                        \
        [](::fieldcrm::sdk::Plugin* plugin) { delete plugin; }};                               \
    return &entry;                                                                             \
  }
