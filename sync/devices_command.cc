// devices: which tablets sync, for whom, and when they last did: head office spots a tablet that
// has not synced for days before its customers' follow-ups go missing.
#include "sync/server_cli.h"
#include "tools/fieldcrm/output.h"

namespace fieldcrm::sync {

using nlohmann::json;

void AddDevicesCommand(CLI::App& app, ServerContext& ctx) {
  auto* devices = app.add_subcommand("devices", "list the devices that synced and when");
  devices->callback([&ctx] {
    json out = json::array();
    for (const DeviceStatus& d : ctx.Open().ListDevices()) {
      out.push_back({{"device", d.device},
                     {"agent", d.agent},
                     {"team", d.team},
                     {"token", d.token},
                     {"last_push_at", d.last_push_at},
                     {"last_pull_at", d.last_pull_at}});
    }
    if (ctx.json) return cli::PrintJson(out);
    std::vector<std::vector<std::string>> rows;
    for (const json& d : out) {
      rows.push_back({cli::Show(d, "device"), cli::Show(d, "agent"), cli::Show(d, "team"),
                      cli::Show(d, "token"), cli::Show(d, "last_push_at"),
                      cli::Show(d, "last_pull_at")});
    }
    cli::PrintTable({"DEVICE", "AGENT", "TEAM", "TOKEN", "LAST PUSH", "LAST PULL"}, rows);
  });
}

}  // namespace fieldcrm::sync
