// Realistic synthetic customers for benchmarks: Chinese names, mainland mobile numbers, budgets,
// stages and sources in the proportions a sales office sees. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "fieldcrm/storage/change.h"

namespace fieldcrm::bench {

class CustomerFaker {
 public:
  // Customers of `team`, or of one of four teams when empty; registered by `agent`, or by one of
  // forty agents when empty (the server credits a push's customers only to its token's agent).
  explicit CustomerFaker(uint32_t seed, std::string team = "", std::string agent = "")
      : rng_(seed), team_(std::move(team)), agent_(std::move(agent)) {}

  std::string Name();
  std::string Phone(int64_t index);  // unique per index, E.164
  // One customer's fields as canonical JSON values, in field-name order.
  std::vector<std::pair<std::string, std::string>> Fields(int64_t index);
  // A new value for one of the editable fields.
  std::pair<std::string, std::string> Edit();

 private:
  std::mt19937 rng_;
  std::string team_;
  std::string agent_;
};

// `count` changes as one device would make them: customers of ten fields each, written whole
// (the way `customer add` writes), stamped with increasing HLCs from `start_ms`; the customers
// belong to `team` (one of four when empty) and `agent` (as CustomerFaker). Phone numbers are
// unique per (seed, customer).
std::vector<Change> MakeCustomerChanges(const std::string& device, int64_t count, uint32_t seed,
                                        const std::string& team = "", const std::string& agent = "",
                                        int64_t start_ms = 1'764'000'000'000);

}  // namespace fieldcrm::bench
