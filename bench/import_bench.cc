#include "import_bench.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store.h"
#include "process.h"
#include "store_bench.h"

namespace fieldcrm::bench {

namespace {

// The customers of CustomerFaker as CSV cells: the header is the field names.
void WriteCustomerCsv(const std::string& path, int64_t rows) {
  std::ofstream out(path, std::ios::binary);
  CustomerFaker faker(11);
  for (int64_t i = 0; i < rows; ++i) {
    auto fields = faker.Fields(i);
    std::string header, line;
    for (const auto& [field, value] : fields) {
      nlohmann::json parsed = nlohmann::json::parse(value);
      std::string text = parsed.is_string() ? parsed.get<std::string>() : parsed.dump();
      header += (header.empty() ? "" : ",") + field;
      line += (line.empty() ? "" : ",") + text;
    }
    if (i == 0) out << header << "\r\n";
    out << line << "\r\n";
  }
}

// A batch edit of every customer of that CSV, by phone: two fields each, as JSON lines for
// `fieldcrm customer set-many`.
void WriteEditsJsonl(const std::string& path, int64_t rows) {
  std::ofstream out(path, std::ios::binary);
  CustomerFaker faker(11);
  for (int64_t i = 0; i < rows; ++i) {
    for (const auto& [field, value] : faker.Fields(i)) {
      if (field != "phone") continue;
      nlohmann::json edit = {{"phone", nlohmann::json::parse(value)},
                             {"stage", "buyer"},
                             {"notes", "batch edit " + std::to_string(i)}};
      out << edit.dump() << '\n';
    }
  }
}

// Seconds `fieldcrm import` takes into a fresh store, and the field changes it wrote.
std::pair<double, int64_t> TimeImport(const std::string& binary, const std::string& csv,
                                      const std::string& db) {
  std::filesystem::remove(db);
  RunProcess({binary, "--db", db, "init", "--device", "office-pc"});
  ProcessResult imported = RunProcess({binary, "--db", db, "import", csv});
  auto store = OpenCustomerStore(db);
  int64_t changes = store->LogSize();
  return {imported.seconds, changes};
}

}  // namespace

void RunImportBenchmark(const Options& options, Report& report) {
  int64_t rows = options.Scaled(50'000, 10);
  std::string csv = options.dir + "/import.csv";
  WriteCustomerCsv(csv, rows);
  int64_t changes = 0;
  double seconds = Median(options.runs, [&] {
    auto [time, written] = TimeImport(options.fieldcrm_binary, csv, options.dir + "/import.db");
    changes = written;
    return time;
  });
  // The batch edit, on the store the last import left, every run writing the same edits again.
  std::string edits = options.dir + "/import-edits.jsonl";
  WriteEditsJsonl(edits, rows);
  int64_t edit_changes = 0;
  double edit_seconds = Median(options.runs, [&] {
    int64_t before = OpenCustomerStore(options.dir + "/import.db")->LogSize();
    ProcessResult edited = RunProcess({options.fieldcrm_binary, "--db", options.dir + "/import.db",
                                       "customer", "set-many", edits});
    edit_changes = OpenCustomerStore(options.dir + "/import.db")->LogSize() - before;
    return edited.seconds;
  });
  std::vector<Change> same = MakeCustomerChanges("bench-import", changes, 11);
  double limit_rate =
      Median(options.runs, [&] { return RawSqliteRate(options.dir + "/import-limit.db", same); });
  double apply_rate =
      Median(options.runs, [&] { return MergeRate(options.dir + "/import-apply.db", same); });
  double import_rate = static_cast<double>(changes) / seconds;
  std::string size = std::to_string(rows) + " rows";
  std::string count = std::to_string(changes) + " field changes";
  report.Add({"import", "limit", static_cast<double>(changes) / limit_rate, "s",
              "raw SQLite: the same " + count});
  report.Add({"import", "apply limit", static_cast<double>(changes) / apply_rate, "s",
              "ApplyRemote (the merge, records, facts) of the same " + count});
  report.Add({"import", "fieldcrm import", seconds, "s",
              size + ", a real process: " + std::to_string(rows / seconds).substr(0, 7) +
                  " rows/s, " + std::to_string(100 * import_rate / apply_rate).substr(0, 4) +
                  "% of the apply limit's rate (target >= 30%), " +
                  std::to_string(100 * import_rate / limit_rate).substr(0, 4) +
                  "% of raw SQLite's"});
  double edit_rate = static_cast<double>(edit_changes) / edit_seconds;
  report.Add({"import", "fieldcrm customer set-many", edit_seconds, "s",
              std::to_string(rows) + " customers by phone, " + std::to_string(edit_changes) +
                  " field changes, a real process: " +
                  std::to_string(100 * edit_rate / apply_rate).substr(0, 4) +
                  "% of the apply limit's rate (target >= 30%)"});
  if (!options.baseline_fieldcrm.empty()) {
    double before = Median(options.runs, [&] {
      return TimeImport(options.baseline_fieldcrm, csv, options.dir + "/import-before.db").first;
    });
    report.Add({"import", "baseline import", before, "s",
                size + " by " + options.baseline_fieldcrm + ": " +
                    std::to_string(before / seconds).substr(0, 4) + "x this build's time"});
  }
}

}  // namespace fieldcrm::bench
