#pragma once

#include "options.h"
#include "report.h"

namespace fieldcrm::bench {

// A 50,000-row customer list (the ten fields `customer add` writes, as an office spreadsheet
// holds them) imported by `fieldcrm import` as a real process into a fresh store: wall time, next
// to the limit, raw SQLite writing as many field changes as the import wrote. With
// Options::baseline_fieldcrm (an older build) the same file is imported by it too, in the same
// run, so a speed-up is measured rather than remembered.
void RunImportBenchmark(const Options& options, Report& report);

}  // namespace fieldcrm::bench
