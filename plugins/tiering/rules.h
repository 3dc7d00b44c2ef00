// The tiering rules: weighted factors over the facts the domain names (purchasing power,
// engagement, recency, stage, deals, referrals, satisfaction) give a 0..100 score and a grade
// A-D; RFM scores give the segment. Pure functions of (facts, as-of time, config).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>

#include "fieldcrm/plugin.h"

namespace tiering {

inline constexpr size_t kFactorCount = 7;
inline constexpr std::array<const char*, kFactorCount> kFactorNames = {
    "budget", "engagement", "recency", "stage", "deals", "referrals", "satisfaction"};

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

  // Parses the effective config; throws std::invalid_argument for rules that make no sense.
  static Rules FromConfig(const nlohmann::json& config);
};

// Each factor's share of full marks, 0..1, in kFactorNames order.
std::array<double, kFactorCount> Fractions(const Rules& rules,
                                           const fieldcrm::sdk::CustomerFacts& f, int64_t as_of_ms);
fieldcrm::sdk::TierGrade GradeOne(const Rules& rules, const fieldcrm::sdk::CustomerFacts& facts,
                                  int64_t as_of_ms);
// Why: every factor with its value, weight and points; the thresholds; the RFM scores.
nlohmann::json Explain(const Rules& rules, const fieldcrm::sdk::CustomerFacts& facts,
                       int64_t as_of_ms);

}  // namespace tiering
