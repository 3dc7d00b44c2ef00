#include "rules.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tiering {

using fieldcrm::sdk::CustomerFacts;
using fieldcrm::sdk::TierGrade;
using nlohmann::json;

namespace {

constexpr double kDayMs = 86400000.0;

double Clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}

// Interactions and signed deals, never the registration: a customer nobody has talked to since
// they were entered is not recent, however new the record.
int64_t LastActivity(const CustomerFacts& f) {
  return std::max(f.last_interaction_ms, f.last_signed_ms);
}

// Days since the last activity; infinite when there never was any.
double IdleDays(const CustomerFacts& f, int64_t as_of_ms) {
  int64_t last = LastActivity(f);
  if (last == 0) return INFINITY;
  return std::max(0.0, static_cast<double>(as_of_ms - last) / kDayMs);
}

std::array<double, 4> Breaks(const json& values, const char* what) {
  if (!values.is_array() || values.size() != 4) {
    throw std::invalid_argument(std::string(what) + " needs 4 breakpoints");
  }
  std::array<double, 4> out{};
  for (size_t i = 0; i < 4; ++i) out[i] = values[i].get<double>();
  return out;
}

// 1..5: how many breakpoints the value reaches (ascending breakpoints, higher is better).
uint8_t ScoreUp(double value, const std::array<double, 4>& breaks) {
  uint8_t score = 1;
  for (double b : breaks) score += value >= b ? 1 : 0;
  return score;
}

uint8_t RecencyScore(const Rules& r, double idle_days) {
  uint8_t score = 5;  // within the first breakpoint
  for (double b : r.rfm_recency_days) score -= idle_days > b ? 1 : 0;
  return score;
}

double Monetary(const CustomerFacts& f) {
  return static_cast<double>(f.deals_amount_cny > 0 ? f.deals_amount_cny : f.budget_cny);
}

}  // namespace

Rules Rules::FromConfig(const json& c) {
  Rules r;
  for (size_t i = 0; i < kFactorCount; ++i) {
    r.weights[i] = c["weights"].value(kFactorNames[i], 0.0);
    r.weight_total += r.weights[i];
  }
  if (r.weight_total <= 0) throw std::invalid_argument("at least one weight must be positive");
  r.budget_full_cny = c["budget_full_cny"];
  r.engagement_full = c["engagement_full"];
  r.recency_full_days = c["recency_full_days"];
  r.recency_zero_days = c["recency_zero_days"];
  r.referrals_full = c["referrals_full"];
  if (r.recency_zero_days <= r.recency_full_days) {
    throw std::invalid_argument("recency_zero_days must be above recency_full_days");
  }
  r.threshold_a = c["thresholds"]["A"];
  r.threshold_b = c["thresholds"]["B"];
  r.threshold_c = c["thresholds"]["C"];
  if (!(r.threshold_a > r.threshold_b && r.threshold_b > r.threshold_c)) {
    throw std::invalid_argument("thresholds must fall from A to B to C");
  }
  r.rfm_recency_days = Breaks(c["rfm"]["recency_days"], "rfm.recency_days");
  r.rfm_frequency = Breaks(c["rfm"]["frequency"], "rfm.frequency");
  r.rfm_monetary_cny = Breaks(c["rfm"]["monetary_cny"], "rfm.monetary_cny");
  r.high_value_monetary = c["segments"]["high_value_monetary"];
  r.active_recency = c["segments"]["active_recency"];
  std::string priority = c.value("complaint_priority", "off");
  r.complaint_priority = priority == "raise_tier" ? ComplaintPriority::kRaiseTier
                         : priority == "flag"     ? ComplaintPriority::kFlag
                                                  : ComplaintPriority::kOff;
  return r;
}

std::array<double, kFactorCount> Fractions(const Rules& r, const CustomerFacts& f,
                                           int64_t as_of_ms) {
  double idle = IdleDays(f, as_of_ms);
  double purchasing = static_cast<double>(std::max(f.budget_cny, f.deals_amount_cny));
  return {
      Clamp01(purchasing / r.budget_full_cny),
      Clamp01((f.visits + 0.5 * f.contacts) / r.engagement_full),
      Clamp01((r.recency_zero_days - idle) / (r.recency_zero_days - r.recency_full_days)),
      Clamp01(f.stage / 3.0),
      f.deals_signed > 0 ? 1.0 : 0.0,
      Clamp01(f.referrals_made / r.referrals_full),
      f.satisfaction < 0 ? 0.5 : Clamp01(f.satisfaction / 10.0),  // unknown: neutral
  };
}

TierGrade GradeOne(const Rules& r, const CustomerFacts& f, int64_t as_of_ms,
                   int32_t open_complaints) {
  auto fractions = Fractions(r, f, as_of_ms);
  double points = 0;
  for (size_t i = 0; i < kFactorCount; ++i) points += r.weights[i] * fractions[i];
  TierGrade g;
  g.score = static_cast<float>(100.0 * points / r.weight_total);
  g.tier = g.score >= r.threshold_a   ? 'A'
           : g.score >= r.threshold_b ? 'B'
           : g.score >= r.threshold_c ? 'C'
                                      : 'D';
  // Service priority: one tier up, the score as it was (it still explains the rest).
  if (r.complaint_priority == ComplaintPriority::kRaiseTier && open_complaints > 0 &&
      g.tier != 'A') {
    --g.tier;
  }
  g.recency = RecencyScore(r, IdleDays(f, as_of_ms));
  g.frequency = ScoreUp(f.visits + f.contacts + f.deals_signed, r.rfm_frequency);
  g.monetary = ScoreUp(Monetary(f), r.rfm_monetary_cny);
  bool high_value = g.monetary >= r.high_value_monetary;
  bool active = g.recency >= r.active_recency;
  g.segment = high_value ? (active ? fieldcrm::sdk::kCore : fieldcrm::sdk::kPotential)
                         : (active ? fieldcrm::sdk::kDeveloping : fieldcrm::sdk::kDormant);
  return g;
}

namespace {

// A number as people read it: whole when it is whole, else one decimal.
std::string Num(double x) {
  double rounded = std::round(x * 10) / 10;
  std::string text = std::to_string(rounded);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

// Why each factor scored what it did, in kFactorNames order.
std::array<std::string, kFactorCount> Reasons(const Rules& r, const CustomerFacts& f, double idle) {
  static const char* const kStages[] = {"prospect", "intent", "buyer", "owner"};
  return {
      "budget or signed amount " + Num(double(std::max(f.budget_cny, f.deals_amount_cny))) +
          " CNY; full marks from " + Num(r.budget_full_cny),
      Num(f.visits) + " visits and " + Num(f.contacts) +
          " contacts (a contact counts half); full marks from " + Num(r.engagement_full),
      std::isinf(idle) ? std::string("no interaction or signed deal yet (registering is neither)")
                       : Num(idle) + " days since the last activity; full marks within " +
                             Num(r.recency_full_days) + ", none after " + Num(r.recency_zero_days),
      std::string("stage ") + kStages[std::clamp(f.stage, 0, 3)] + " (owner is full marks)",
      Num(f.deals_signed) + " deals signed; any signed deal is full marks",
      Num(f.referrals_made) + " customers referred; full marks from " + Num(r.referrals_full),
      f.satisfaction < 0 ? std::string("no survey answer yet: counted as neutral")
                         : "mean NPS answer " + Num(f.satisfaction) + " of 10",
  };
}

}  // namespace

namespace {

// The service priority factor: no points, the open complaints as its value.
json ServicePriority(const Rules& r, int32_t open_complaints) {
  std::string reason =
      open_complaints == 0
          ? std::string("no open complaint")
          : Num(open_complaints) + " open complaint" + (open_complaints == 1 ? "" : "s") +
                (r.complaint_priority == ComplaintPriority::kRaiseTier
                     ? ": service priority, tier raised one step (complaint_priority raise_tier)"
                     : ": service priority (complaint_priority flag)");
  return {{"name", "service priority"},
          {"value", open_complaints},
          {"weight", 0},
          {"share", open_complaints > 0 ? 1 : 0},
          {"points", 0},
          {"reason", reason}};
}

}  // namespace

json Explain(const Rules& r, const CustomerFacts& f, int64_t as_of_ms, int32_t open_complaints) {
  auto fractions = Fractions(r, f, as_of_ms);
  double idle = IdleDays(f, as_of_ms);
  auto reasons = Reasons(r, f, idle);
  json values = {std::max(f.budget_cny, f.deals_amount_cny),
                 {{"visits", f.visits}, {"contacts", f.contacts}},
                 std::isinf(idle) ? json("no activity") : json(std::round(idle * 10) / 10),
                 f.stage,
                 f.deals_signed,
                 f.referrals_made,
                 f.satisfaction < 0 ? json("no survey answer") : json(f.satisfaction)};
  json factors = json::array();
  for (size_t i = 0; i < kFactorCount; ++i) {
    double points = 100.0 * r.weights[i] * fractions[i] / r.weight_total;
    factors.push_back({{"name", kFactorNames[i]},
                       {"value", values[i]},
                       {"weight", r.weights[i]},
                       {"share", std::round(fractions[i] * 1000) / 1000},
                       {"points", std::round(points * 10) / 10},
                       {"reason", reasons[i]}});
  }
  bool priority = r.complaint_priority != ComplaintPriority::kOff;
  if (priority) factors.push_back(ServicePriority(r, open_complaints));
  TierGrade g = GradeOne(r, f, as_of_ms, open_complaints);
  return {{"factors", factors},
          {"service_priority", priority && open_complaints > 0},
          {"score", std::round(g.score * 10) / 10},
          {"thresholds", {{"A", r.threshold_a}, {"B", r.threshold_b}, {"C", r.threshold_c}}},
          {"rfm",
           {{"idle_days", values[2]},
            {"frequency", f.visits + f.contacts + f.deals_signed},
            {"monetary_cny", Monetary(f)}}}};
}

}  // namespace tiering
