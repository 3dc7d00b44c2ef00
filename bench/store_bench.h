#pragma once

#include <string>
#include <vector>

#include "fieldcrm/storage/change.h"
#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// The floor every sync figure is compared with: `changes` written straight into a fresh
// replica at path, log append + per-field state upsert, in one transaction with prepared
// statements. Returns changes/s.
double RawSqliteRate(const std::string& path, const std::vector<Change>& changes);

// The merge function (Store::ApplyRemote) applying `changes` to a fresh replica at path in
// pull-sized batches: the apply limit local bulk writes are held to. Returns changes/s.
double MergeRate(const std::string& path, const std::vector<Change>& changes,
                 bool secure_delete = true);

// That floor next to the merge function applying the same changes in pull-sized batches.
void RunStoreBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
