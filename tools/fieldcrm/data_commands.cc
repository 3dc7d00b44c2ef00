// init | export | compact | log | conflicts: the store as a whole (import: import_command.cc).
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/customer_export.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/conflicts.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/sync/client.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

// A workbook to the file, or to stdout when that is not a terminal (a zip archive would only
// garble one).
void ExportXlsx(Store& store, const std::string& output) {
  if (!output.empty()) {
    XlsxWriter writer(output);
    AddCustomersSheet(store, writer);
    return writer.Close();
  }
  if (isatty(STDOUT_FILENO)) {
    throw InvalidInput("an .xlsx workbook is binary: give -o FILE.xlsx or redirect stdout");
  }
  std::cout << XlsxBytes([&store](XlsxWriter& writer) { AddCustomersSheet(store, writer); });
}

}  // namespace

void AddDataCommands(CLI::App& app, Context& ctx) {
  {
    auto* init = app.add_subcommand("init", "create a new store for this device");
    auto device = std::make_shared<DeviceInfo>();
    init->add_option("--device", device->name, "a name for this tablet or server")->required();
    init->add_option("--agent", device->agent, "the agent using this device");
    init->add_option("--team", device->team, "the agent's team");
    init->callback([&ctx, device] {
      if (ctx.db_path.empty()) throw CLI::RequiredError("--db");
      auto store = CreateCustomerStore(ctx.db_path, *device);
      if (ctx.json) {
        PrintJson({{"device_id", store->device().id}, {"device", store->device().name}});
      } else {
        std::cout << "created " << ctx.db_path << " for device " << store->device().name << " ("
                  << store->device().id << ")\n";
      }
    });
  }
  {
    auto* exp = app.add_subcommand("export", "export all customers");
    auto format = std::make_shared<std::string>("csv");
    auto output = std::make_shared<std::string>();
    exp->add_option("--format", *format, "csv, xlsx (an Excel workbook) or json")
        ->check(CLI::IsMember({"csv", "xlsx", "json"}));
    exp->add_flag_callback(
        "--csv", [format] { *format = "csv"; }, "CSV (as --format csv)");
    exp->add_option("--output,-o", *output, "write to this file instead of stdout");
    exp->callback([&ctx, format, output] {
      Store& store = ctx.Open();
      if (*format == "xlsx") return ExportXlsx(store, *output);
      std::ofstream file;
      if (!output->empty()) {
        file.open(*output, std::ios::binary);
        if (!file) throw InvalidInput("cannot write '" + *output + "'");
      }
      std::ostream& out = output->empty() ? std::cout : file;
      if (*format == "json") {
        StreamedJsonArray array(out);
        Customers(store).ForEachWindow({}, [&](std::vector<json>& window) {
          for (const json& c : window) array.Add(c);
        });
        array.Close();
      } else {
        ExportCustomersCsv(store, out);
      }
    });
  }
  {
    auto* compact = app.add_subcommand(
        "compact", "delete log entries later writes replaced, once the server holds them");
    auto vacuum = std::make_shared<bool>(false);
    compact->add_flag("--vacuum", *vacuum, "also give the freed space back to the file system");
    compact->callback([&ctx, vacuum] {
      Store& store = ctx.Open();
      // Own entries count as held by the server up to the push cursor: later ones are kept.
      int64_t pushed = std::stoll(store.GetMeta(sync::kPushCursorKey).value_or("0"));
      StorageSizes before = store.MeasureSizes();
      CompactionStats stats = store.Compact(pushed);
      if (*vacuum) store.Vacuum();
      StorageSizes after = store.MeasureSizes();
      if (ctx.json) {
        PrintJson({{"removed", stats.removed},
                   {"kept", stats.kept},
                   {"log_bytes_before", before.log_bytes},
                   {"log_bytes_after", after.log_bytes},
                   {"state_bytes", after.state_bytes}});
      } else {
        std::cout << "removed " << stats.removed << " superseded log entries, kept " << stats.kept
                  << "; log " << before.log_bytes / 1024 << " KiB -> " << after.log_bytes / 1024
                  << " KiB, state " << after.state_bytes / 1024 << " KiB\n";
      }
    });
  }
  {
    auto* log = app.add_subcommand("log", "show the change log, oldest first");
    auto limit = std::make_shared<int64_t>(1000);
    auto after = std::make_shared<int64_t>(0);
    log->add_option("--after", *after, "only entries after this position");
    log->add_option("--limit", *limit, "at most this many entries")->check(CLI::PositiveNumber);
    log->callback([&ctx, limit, after] {
      auto entries = ctx.Open().ReadLog(*after, *limit);
      if (ctx.json) {
        json out = json::array();
        for (const auto& entry : entries) {
          json j = ChangeToJson(entry.change);
          j["pos"] = entry.pos;
          out.push_back(std::move(j));
        }
        return PrintJson(out);
      }
      std::vector<std::vector<std::string>> rows;
      for (const auto& [pos, c] : entries) {
        rows.push_back({std::to_string(pos), HlcToIso(c.hlc),
                        c.device.substr(c.device.size() - 8) + "/" + std::to_string(c.seq), c.kind,
                        c.record, c.field, c.value.value_or("(removed)")});
      }
      PrintTable({"POS", "WHEN", "DEVICE/SEQ", "KIND", "RECORD", "FIELD", "VALUE"}, rows);
    });
  }
  {
    auto* conflicts =
        app.add_subcommand("conflicts", "same-field conflicts and the values that lost");
    conflicts->callback([&ctx] {
      json out = json::array();
      for (const LostWrite& c : ListConflicts(ctx.Open())) {
        out.push_back({{"record", c.record},
                       {"field", c.field},
                       {"lost_value", c.lost_value},
                       {"lost_device", c.lost_device},
                       {"lost_at", HlcToIso(c.lost_hlc)},
                       {"kept_value", c.kept_value},
                       {"kept_device", c.kept_device}});
      }
      if (ctx.json) return PrintJson(out);
      std::vector<std::vector<std::string>> rows;
      for (const json& c : out) {
        rows.push_back({Show(c, "record"), Show(c, "field"), Show(c["kept_value"]),
                        Show(c["lost_value"]), Show(c, "lost_at")});
      }
      PrintTable({"RECORD", "FIELD", "KEPT", "LOST", "LOST WRITTEN AT"}, rows);
    });
  }
}  // namespace fieldcrm::cli

}  // namespace fieldcrm::cli
