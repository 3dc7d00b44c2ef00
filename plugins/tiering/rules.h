// The tiering rules: weighted factors over the facts the domain names (purchasing power,
// engagement, recency, stage, deals, referrals, satisfaction) give a 0..100 score and a grade
// A-D; RFM scores give the segment. An open complaint gives the customer service priority where
// the config says so (complaint_priority): flagged in the explanation, or also raising the tier
// one step. Pure functions of (facts, open complaints, as-of time, config).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "fieldcrm/plugin.h"

namespace tiering {

inline constexpr size_t kFactorCount = 7;
inline constexpr std::array<const char*, kFactorCount> kFactorNames = {
    "budget", "engagement", "recency", "stage", "deals", "referrals", "satisfaction"};

// What an open complaint does (config complaint_priority).
enum class ComplaintPriority { kOff, kFlag, kRaiseTier };

struct Rules {
  std::array<double, kFactorCount> weights{};
  double weight_total = 0;
  double budget_full_cny = 0;
  double engagement_full = 0;  // visits (a contact counts half) for full marks
  double recency_full_days = 0, recency_zero_days = 0;
  double referrals_full = 0;
  double threshold_a = 0, threshold_b = 0, threshold_c = 0;
  std::array<double, 4> rfm_recency_days{}, rfm_frequency{}, rfm_monetary_cny{};
  int high_value_monetary = 0, active_recency = 0;
  ComplaintPriority complaint_priority = ComplaintPriority::kOff;

  // Parses the effective config; throws std::invalid_argument for rules that make no sense.
  static Rules FromConfig(const nlohmann::json& config);
};

// Each factor's share of full marks, 0..1, in kFactorNames order.
std::array<double, kFactorCount> Fractions(const Rules& rules,
                                           const fieldcrm::sdk::CustomerFacts& f, int64_t as_of_ms);
// open_complaints: the customer's complaints open at as_of_ms (the host's, API 2.4).
fieldcrm::sdk::TierGrade GradeOne(const Rules& rules, const fieldcrm::sdk::CustomerFacts& facts,
                                  int64_t as_of_ms, int32_t open_complaints);
// Why: every factor with its value, weight and points (and "service priority" when the config
// has one: its value the open complaints, no points); the thresholds; the RFM scores.
nlohmann::json Explain(const Rules& rules, const fieldcrm::sdk::CustomerFacts& facts,
                       int64_t as_of_ms, int32_t open_complaints);

}  // namespace tiering
