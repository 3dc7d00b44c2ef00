// import FILE.csv|FILE.xlsx: customers from a spreadsheet, all or nothing unless --skip-bad-rows.
// The contract (README "Importing spreadsheets", docs/import.md):
//  - every row is checked first; when one is bad nothing is written: exit 1 and one line on
//    stderr naming the first bad rows;
//  - --dry-run checks and reports on stdout, writes nothing (exit 1 when rows are bad);
//  - --skip-bad-rows FILE writes the good rows and the bad ones to FILE with their reasons
//    (exit 0);
//  - what was matched, ignored and merged is reported on stdout; progress of big files on stderr.
#include <fstream>
#include <iostream>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/customer_import.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

struct ImportArgs {
  std::string path;
  std::vector<std::string> maps;
  bool save_map = false;
  bool keep_unknown = false;
  bool dry_run = false;
  std::string rejects_path;  // --skip-bad-rows
  bool quiet = false;
};

// Big files report every 5,000 customers written, so a long import is visibly alive.
constexpr size_t kProgressStep = 5000;

std::string RowList(const std::vector<size_t>& rows) {
  std::string out;
  for (size_t row : rows) out += (out.empty() ? "" : ", ") + std::to_string(row);
  return out;
}

json ReportJson(const ImportReport& report, const std::string& rejects_path) {
  json columns = json::object();
  for (const ImportColumn& column : report.columns) {
    if (!column.field.empty()) columns[column.header] = column.field;
  }
  json rejected = json::array();
  for (const RejectedRow& row : report.rejected) {
    rejected.push_back({{"row", row.row}, {"reason", row.reason}});
  }
  json merged = json::array();
  for (const MergedRows& group : report.merged) {
    merged.push_back({{"phone", group.phone}, {"rows", group.rows}});
  }
  json out = {{"rows", report.rows},
              {"customers", report.customers},
              {"added", report.added},
              {"existing", report.existing},
              {"written", report.written},
              {"columns", columns},
              {"ignored_columns", report.ignored_columns},
              {"merged", merged},
              {"rejected", rejected}};
  if (!rejects_path.empty()) out["rejects_file"] = rejects_path;
  return out;
}

void PrintReport(const ImportReport& report, const ImportArgs& args) {
  std::string matched;
  for (const ImportColumn& column : report.columns) {
    if (column.field.empty()) continue;
    matched += (matched.empty() ? "" : ", ") + Escaped(column.header) + " → " + column.field +
               (column.in_wan ? " (万)" : "");
  }
  std::cout << "columns: " << matched << '\n';
  if (!report.ignored_columns.empty()) {
    std::string ignored;
    for (const auto& header : report.ignored_columns) {
      ignored += (ignored.empty() ? "" : ", ") + Escaped(header);
    }
    std::cout << "ignored columns: " << ignored
              << " (keep them with --keep-unknown, or --map COLUMN=FIELD)\n";
  }
  for (const MergedRows& group : report.merged) {
    std::cout << "rows " << RowList(group.rows) << ": same phone " << group.phone
              << ", merged into one customer\n";
  }
  if (args.dry_run || !args.rejects_path.empty()) {
    for (const RejectedRow& row : report.rejected) {
      std::cout << "row " << row.row << ": " << Escaped(row.reason) << '\n';
    }
  }
  if (report.written) {
    std::cout << "imported " << report.added << " customers, " << report.existing
              << " already on the store, from " << report.rows << " rows";
  } else {
    std::cout << "dry run: " << report.customers << " customers from " << report.rows
              << " rows would be imported; nothing was written";
  }
  if (!report.rejected.empty()) {
    std::cout << "; " << report.rejected.size() << " rows rejected"
              << (args.rejects_path.empty() ? "" : " (written to " + args.rejects_path + ")");
  }
  std::cout << '\n';
}

// The one line an all-or-nothing import that met bad rows fails with.
std::string RejectionMessage(const ImportReport& report, const ImportArgs& args) {
  constexpr size_t kShown = 3;
  std::string message = args.path + ": " + std::to_string(report.rejected.size()) + " of " +
                        std::to_string(report.rows) + " rows cannot be imported";
  if (!args.dry_run) message += ", so nothing was imported";
  message += ": ";
  for (size_t i = 0; i < report.rejected.size() && i < kShown; ++i) {
    message += (i ? "; row " : "row ") + std::to_string(report.rejected[i].row) + ": " +
               report.rejected[i].reason;
  }
  if (report.rejected.size() > kShown) {
    message += "; and " + std::to_string(report.rejected.size() - kShown) + " more";
  }
  if (!args.dry_run) {
    message +=
        " (list them all with --dry-run, or import the other rows with --skip-bad-rows "
        "REJECTS.csv)";
  }
  return message;
}

void RunImport(Context& ctx, const ImportArgs& args) {
  ImportOptions options;
  for (const std::string& entry : args.maps) options.mapping.insert(ParseMappingEntry(entry));
  options.keep_unknown = args.keep_unknown;
  options.dry_run = args.dry_run;
  options.skip_bad_rows = !args.rejects_path.empty();
  if (!args.quiet) {
    options.progress = [](size_t done, size_t total) {
      if (done % kProgressStep == 0) {
        std::cerr << "fieldcrm: import: " << done << " of " << total << " customers written\n";
      }
    };
  }
  Store& store = ctx.Open();
  ImportReport report = ImportCustomers(store, args.path, options);
  if (args.save_map) SaveMapping(store, options.mapping);
  if (options.skip_bad_rows) {
    std::ofstream rejects(args.rejects_path, std::ios::binary);
    WriteRejectedRows(report, rejects);
    if (!rejects) throw InvalidInput("cannot write '" + args.rejects_path + "'");
  }
  bool failed = !report.rejected.empty() && !options.skip_bad_rows;
  if (failed && !args.dry_run) throw InvalidInput(RejectionMessage(report, args));
  ctx.json ? PrintJson(ReportJson(report, args.rejects_path)) : PrintReport(report, args);
  if (failed) throw InvalidInput(RejectionMessage(report, args));
}

}  // namespace

void AddImportCommand(CLI::App& app, Context& ctx) {
  auto* import = app.add_subcommand(
      "import",
      "import customers from an .xlsx workbook or a CSV file (UTF-8 or GBK), all or nothing");
  auto args = std::make_shared<ImportArgs>();
  import
      ->add_option("FILE", args->path,
                   "an .xlsx workbook (its first sheet) or a CSV file, with a header row")
      ->required();
  import->add_option("--map", args->maps,
                     "COLUMN=FIELD: the column holds this field (FIELD '-' ignores it)");
  import->add_flag("--save-map", args->save_map, "remember the --map entries for later imports");
  import->add_flag("--keep-unknown", args->keep_unknown,
                   "keep unknown columns as extension fields import.<column>");
  import->add_flag("--dry-run", args->dry_run, "check the file and report; write nothing");
  import->add_option("--skip-bad-rows", args->rejects_path,
                     "import the good rows; write the bad ones with their reasons to this CSV");
  import->add_flag("--quiet", args->quiet, "no progress on stderr");
  import->callback([&ctx, args] { RunImport(ctx, *args);
});
}  // namespace fieldcrm::cli

}  // namespace fieldcrm::cli
