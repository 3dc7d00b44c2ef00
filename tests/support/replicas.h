// Shared by the randomised convergence tests: tablets of one team, everything their logs hold,
// and fresh replicas that take it in shuffled, duplicated, in random batches, through the one
// merge path.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {

// Three tablet stores t0, t1, t2 of team 滨江一组 in dir.
std::vector<std::unique_ptr<Store>> ThreeTablets(const TempDir& dir);

// A shared starting point: six customers registered on tablets[0] and copied to the others;
// their ids.
std::vector<std::string> SharedCustomers(const std::vector<std::unique_ptr<Store>>& tablets);

// Every change store's log holds, in arrival order.
std::vector<Change> AllChanges(Store& store);
// Every change of every store, store after store.
std::vector<Change> AllChanges(const std::vector<std::unique_ptr<Store>>& stores);

// Applies changes in one transaction with the merge function alone (no duplicate merging).
ApplyStats Apply(Store& store, const std::vector<Change>& changes);

// A fresh store "r<index>" in dir that took in `all` plus 40 of them again, shuffled, in batches
// of 1 to 50 changes drawn from rng.
std::unique_ptr<Store> ShuffledReplica(const TempDir& dir, int index,
                                       const std::vector<Change>& all, std::mt19937& rng);

}  // namespace fieldcrm::testing
