// erase | erasures: head office erases customers for good (docs/privacy.md) — one on a person's
// request, or invalid and test records in bulk from a file of ids — and reads back the audit
// trail of erasures.
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "server_cli.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

// Who runs this command: $USER, else the account's name (cron and services set no $USER).
std::string OperatingUser() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  const passwd* account = getpwuid(geteuid());
  return account != nullptr ? account->pw_name : "";
}

// One id per line; blank lines and lines starting with # are skipped.
std::vector<std::string> ReadIds(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw NotFound("cannot read '" + path + "' (--from-file takes a file of customer ids)");
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    size_t end = line.find_last_not_of(" \t\r");
    ids.push_back(line.substr(begin, end - begin + 1));
  }
  if (ids.empty()) throw InvalidInput("'" + path + "' names no customer id");
  return ids;
}

json ErasureJson(const SqliteServerStorage::ErasureEntry& e) {
  return {{"customer", e.customer},
          {"kind", e.kind},
          {"erasure", e.erasure},
          {"already_erased", e.erasure.empty()},
          {"erased_by", e.erased_by},
          {"reason", e.reason},
          {"erased_at", e.erased_at},
          {"records", e.removed.records},
          {"log_entries", e.removed.log_entries},
          {"conflicts", e.removed.conflicts}};
}

}  // namespace

void AddEraseCommands(CLI::App& app, ServerContext& ctx) {
  {
    auto* erase = app.add_subcommand(
        "erase", "erase customers for good: their data leaves every store and change log");
    auto ids = std::make_shared<std::vector<std::string>>();
    auto file = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    auto by = std::make_shared<std::string>(OperatingUser());
    auto phones = std::make_shared<std::vector<std::string>>();
    erase->add_option("CUSTOMER_ID", *ids, "the customers to erase (any id of each)");
    erase->add_option("--phone", *phones,
                      "erase the person with this phone: their customer and the walk-ins logged "
                      "under no customer (repeatable)");
    erase->add_option("--from-file", *file, "a file of customer ids, one a line (bulk purges)");
    erase->add_option("--reason", *reason, "why, for the audit trail (never the erased data)")
        ->required();
    erase->add_option("--by", *by, "who orders the erasure (default: $USER, else the account)");
    erase->callback([&ctx, ids, file, reason, by, phones] {
      std::vector<std::string> all = *ids;
      if (!file->empty()) {
        std::vector<std::string> listed = ReadIds(*file);
        all.insert(all.end(), listed.begin(), listed.end());
      }
      for (const std::string& phone : *phones) {
        std::vector<std::string> found = ctx.Open().ErasureTargetsByPhone(phone);
        if (found.empty()) throw NotFound("nothing on the server holds the phone '" + phone + "'");
        all.insert(all.end(), found.begin(), found.end());
      }
      if (all.empty()) {
        throw InvalidInput("name the customers to erase, --phone P, or --from-file FILE");
      }
      SqliteServerStorage::ErasureReport report = ctx.Open().Erase(all, *reason, *by);
      json rows = json::array();
      for (const auto& entry : report.erased) rows.push_back(ErasureJson(entry));
      if (ctx.json) return cli::PrintJson({{"erased", rows}, {"wal_emptied", report.wal_emptied}});
      int64_t erased = 0, records = 0;  // customers, and records under no customer
      for (const auto& e : report.erased) {
        if (e.erasure.empty()) {
          std::cout << e.kind << " " << e.customer << " was erased before: nothing to do\n";
          continue;
        }
        ++(e.kind == "customer" ? erased : records);
        std::cout << "erased " << e.kind << " " << e.customer << ": " << e.removed.records
                  << " records, " << e.removed.log_entries << " change log entries rewritten, "
                  << e.removed.conflicts << " conflicts removed (erasure " << e.erasure << ")\n";
      }
      std::cout << "erased " << erased << " customer" << (erased == 1 ? "" : "s");
      if (records > 0) std::cout << " and " << records << " record" << (records == 1 ? "" : "s");
      std::cout << "; tablets erase them at their next sync\n";
      if (!report.wal_emptied) {
        std::cerr << "warning: a reader kept the server's WAL file from being emptied: the erased "
                     "values leave it at its next checkpoint (or run erase again)\n";
      }
    });
  }
  {
    auto* list = app.add_subcommand("erasures", "the audit trail of erasures: who, when, why");
    list->callback([&ctx] {
      json rows = json::array();
      for (const auto& entry : ctx.Open().ListErasures()) rows.push_back(ErasureJson(entry));
      PrintRows(ctx, rows,
                {{"ERASED AT", "erased_at"},
                 {"BY", "erased_by"},
                 {"KIND", "kind"},
                 {"CUSTOMER", "customer"},
                 {"REASON", "reason"},
                 {"RECORDS", "records"},
                 {"LOG ENTRIES", "log_entries"}});
    });
  }
}

}  // namespace fieldcrm::sync
