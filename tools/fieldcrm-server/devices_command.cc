// devices: which tablets sync, for whom, and when they last did: head office spots a tablet that
// has not synced for days before its customers' follow-ups go missing.
#include "server_cli.h"

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
                     {"last_pull_at", d.last_pull_at},
                     {"pending", d.pending < 0 ? json() : json(d.pending)},
                     {"app_version", d.app_version}});
    }
    PrintRows(ctx, out,
              {{"DEVICE", "device"},
               {"AGENT", "agent"},
               {"TEAM", "team"},
               {"TOKEN", "token"},
               {"LAST PUSH", "last_push_at"},
               {"LAST PULL", "last_pull_at"},
               {"PENDING", "pending"},
               {"VERSION", "app_version"}});
  });
}

}  // namespace fieldcrm::sync
