// report NAME: head office's figures as tables (or CSV, an .xlsx workbook, or JSON), from this
// store or, with
// --server, from head office's server (the same JSON as the dashboard's /v1/reports/NAME).
#include <cctype>
#include <iostream>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/csv_io.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/reports/reception_report.h"
#include "fieldcrm/reports/report_xlsx.h"
#include "fieldcrm/reports/tier_reports.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

struct ReportArgs {
  std::string name;
  std::map<std::string, std::string> filter;
  bool csv = false;
  std::string xlsx_path;  // --xlsx: the tables as a workbook there instead
  std::string server, token;
};

std::string PercentEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

json FetchReport(const ReportArgs& args) {
  std::string path = "/v1/reports/" + args.name + "?";
  for (const auto& [key, value] : args.filter) path += key + "=" + PercentEncode(value) + "&";
  sync::HttpReply reply = sync::MakeHttpTransport(args.server, args.token)->Get(path);
  if (reply.body.is_discarded()) throw InvalidInput(args.server + " did not answer JSON");
  if (reply.status != 200) {
    throw InvalidInput("the server refused the report (HTTP " + std::to_string(reply.status) +
                       "): " + reply.body.value("/error/message"_json_pointer, std::string()));
  }
  return reply.body;
}

void PrintReport(const json& report, bool csv) {
  bool first = true;
  for (const json& table : report["tables"]) {
    std::vector<std::string> headers;
    for (const json& col : table["columns"]) headers.push_back(col["label"]);
    std::vector<std::vector<std::string>> rows;
    for (const json& row : table["rows"]) {
      std::vector<std::string> cells;
      for (const json& col : table["columns"]) {
        std::string cell = Show(row, col["key"].get<std::string>().c_str());
        // A person reads times in local time; CSV keeps the stored UTC form for programs.
        cells.push_back(csv ? cell : LocalTimeText(cell));
      }
      rows.push_back(std::move(cells));
    }
    if (csv) {
      // Tables one after another, each named in a first row of its own, a blank line between.
      std::cout << (first ? "" : "\r\n") << CsvCell(table["name"]) << "\r\n";
      for (size_t i = 0; i < headers.size(); ++i)
        std::cout << (i ? "," : "") << CsvCell(headers[i]);
      std::cout << "\r\n";
      for (const auto& cells : rows) {
        for (size_t i = 0; i < cells.size(); ++i) std::cout << (i ? "," : "") << CsvCell(cells[i]);
        std::cout << "\r\n";
      }
    } else {
      std::cout << (first ? "" : "\n") << table["title"].get<std::string>() << '\n';
      PrintTable(headers, rows);
    }
    first = false;
  }
}

std::string ReportNameList() {
  std::string names;
  for (const std::string& n : reports::ReportNames()) names += (names.empty() ? "" : ", ") + n;
  return names + ", reception (devices too with --server)";
}

}  // namespace

void AddReportCommands(CLI::App& app, Context& ctx) {
  auto* report = app.add_subcommand("report", "head office's figures: " + ReportNameList());
  auto args = std::make_shared<ReportArgs>();
  report->add_option("NAME", args->name, "which report (none: list them)");
  for (const char* key : {"team", "agent", "project"}) {
    report->add_option_function<std::string>(
        std::string("--") + key, [args, key](const std::string& v) { args->filter[key] = v; },
        std::string("only this ") + key + "'s customers");
  }
  report->add_option_function<std::string>(
      "--from", [args](const std::string& v) { args->filter["from"] = v; },
      "the period's start (default: 30 days before --to)");
  report->add_option_function<std::string>(
      "--to", [args](const std::string& v) { args->filter["to"] = v; },
      "the period's end: a date is its last day (default: now)");
  report->add_flag("--csv", args->csv, "print CSV instead of tables (as --format csv)");
  report
      ->add_option_function<std::string>(
          "--format", [args](const std::string& format) { args->csv = format == "csv"; },
          "table or csv (--json for JSON)")
      ->check(CLI::IsMember({"table", "csv"}));
  report->add_option("--xlsx", args->xlsx_path,
                     "write the tables to this Excel workbook, a worksheet each");
  report->add_option("--server", args->server, "fetch from head office's server at this URL");
  report->add_option("--token", args->token, "an office token for --server");
  report->callback([&ctx, args] {
    const auto& names = reports::ReportNames();
    if (args->name.empty()) {
      std::cout << "reports: " << ReportNameList() << '\n';
      return;
    }
    bool remote_only = !args->server.empty() && args->name == "devices";
    bool reception = args->name == "reception";
    if (!remote_only && !reception &&
        std::find(names.begin(), names.end(), args->name) == names.end()) {
      throw InvalidInput("unknown report '" + args->name + "'; the reports are " +
                         ReportNameList());
    }
    json out;
    if (!args->server.empty()) {
      if (args->token.empty()) throw CLI::RequiredError("--token (with --server)");
      out = FetchReport(*args);
    } else {
      Store& store = ctx.Open();
      int64_t now = store.env().NowMillis();
      ReportingConnection reporting(store.path());
      reports::ReportFilter filter = reports::ParseFilter(args->filter, now);
      out = reception
                ? reports::ReceptionReport(reporting, &ctx.Plugins(), filter)
                : reports::RunReportWithTiers(reporting, &ctx.Plugins(), args->name, filter, now);
    }
    if (!args->xlsx_path.empty()) {
      XlsxWriter writer(args->xlsx_path);
      reports::AddReportSheets(writer, out, "");
      writer.Close();
      return;
    }
    if (ctx.json) return PrintJson(out);
    PrintReport(out, args->csv);
  });
}

}  // namespace fieldcrm::cli
