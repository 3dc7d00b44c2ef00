// sync | status: exchanging changes with head office's server, and how far along that is.
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <map>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/sync/client.h"
#include "fieldcrm/sync/clock_policy.h"
#include "fieldcrm/sync/live_sync.h"
#include "fieldcrm/sync/session_sync.h"
#include "sync_progress_view.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

void PrintRefusals(const std::vector<sync::Refusal>& refused) {
  // One line per record and reason: a refused customer has many fields.
  std::map<std::pair<std::string, std::string>, int> grouped;
  for (const sync::Refusal& r : refused) ++grouped[{r.record, r.reason}];
  for (const auto& [key, count] : grouped) {
    std::cerr << "refused " << count << " change" << (count == 1 ? "" : "s") << " of record "
              << key.first << ": " << key.second << '\n';
  }
}

std::string DescribeSkew(const json& skew) {
  if (skew.is_null()) return "not measured yet";
  int64_t ms = skew.get<int64_t>();
  if (ms > -1000 && ms < 1000) return "in step with the server";
  return sync::DescribeDuration(ms < 0 ? -ms : ms) + (ms < 0 ? " behind" : " ahead of") +
         " the server at the last sync";
}

// The summary of one sync: stdout for its figures (a line, or --json), stderr for plugins
// installed, refusals and clock warnings.
void PrintSyncOutcome(Context& ctx, const std::string& url,
                      const sync::SessionSyncReport& outcome) {
  for (const std::string& installed : outcome.plugins.installed) {
    std::cerr << "installed head office's plugin " << installed << '\n';
  }
  for (const std::string& removed : outcome.plugins.removed) {
    std::cerr << "removed plugin " << removed << " (head office no longer publishes it)\n";
  }
  ctx.Warn(outcome.warnings);
  const sync::SyncReport& report = outcome.sync;
  if (!report.snapshot_fallback.empty()) std::cerr << "note: " << report.snapshot_fallback << '\n';
  PrintRefusals(report.refused);
  if (report.restamped > 0 || report.clock_skew_ms < -sync::kDefaultMaxClockAheadMs ||
      report.clock_skew_ms > sync::kDefaultMaxClockAheadMs) {
    std::cerr << "warning: " << sync::ClockSkewWarning(report.clock_skew_ms, report.restamped)
              << '\n';
  }
  if (ctx.json) {
    PrintJson({{"sent", report.sent},
               {"received", report.received},
               {"conflicts", report.conflicts},
               {"merged", report.merged},
               {"refused", report.refused.size()},
               {"erased", report.erased},
               {"clock_skew_ms", report.clock_skew_ms},
               {"restamped", report.restamped},
               {"snapshot_at", report.snapshot_at},
               {"error", report.push_error}});
  } else {
    std::cout << "synced with " << url << ": sent " << report.sent << ", received "
              << report.received << ", conflicts " << report.conflicts << ", duplicates merged "
              << report.merged << ", refused " << report.refused.size();
    // Said only when it happened: scripts read the line as it always was.
    if (report.erased > 0) std::cout << ", customers erased " << report.erased;
    std::cout << '\n';
  }
}

}  // namespace

void AddSyncCommands(CLI::App& app, Context& ctx) {
  {
    auto* cmd =
        app.add_subcommand("sync", "send this tablet's changes to the server, fetch others'");
    auto server = std::make_shared<std::string>();
    auto token = std::make_shared<std::string>();
    auto options = std::make_shared<sync::SyncOptions>();
    auto ca_file = std::make_shared<std::string>();
    auto head_office_key = std::make_shared<std::string>();
    cmd->add_option("--server", *server, "server URL, e.g. https://192.168.1.10:8443 (remembered)");
    cmd->add_option("--token", *token, "this device's token from head office (remembered)");
    cmd->add_option("--ca-file", *ca_file,
                    "PEM certificate of head office's own CA, for a self-signed server "
                    "(remembered; default: the system's trusted CAs)");
    cmd->add_option("--head-office-key", *head_office_key,
                    "head office's public key for signed plugins (`fieldcrm-server keys show`); "
                    "pinned on this store");
    cmd->add_option("--batch", options->batch, "changes per request")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, sync::kMaxBatch));
    cmd->add_flag("--full", options->full, "send and fetch everything again (repairs any gap)");
    cmd->add_flag(
        "--replay", [options](int64_t) { options->snapshot = false; },
        "a first or --full sync fetches the whole history rather than the team's current state");
    auto watch = std::make_shared<bool>(false);
    auto interval_s = std::make_shared<int64_t>(300);
    cmd->add_flag("--watch", *watch,
                  "stay online: sync again as soon as a colleague's change reaches the server "
                  "(a summary line per sync; stop with Ctrl-C, an interrupted sync resumes)");
    cmd->add_option("--interval", *interval_s,
                    "with --watch: seconds between syncs when nothing wakes it (sends what "
                    "other programs wrote; the fallback for a server without live updates)")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, int64_t{86'400}));
    cmd->callback([&ctx, server, token, ca_file, head_office_key, options, watch, interval_s] {
      Store& store = ctx.Open();
      sync::ServerSettings settings =
          sync::RememberedServer(store, {*server, *token, *ca_file, *head_office_key});
      // A server that drops the connection mid-request is a network error to report, not a
      // SIGPIPE that ends the process silently (httplib sends without MSG_NOSIGNAL).
      signal(SIGPIPE, SIG_IGN);
      auto transport = sync::MakeHttpTransport(settings.url, settings.token, settings.ca_file);
      sync::RememberServer(store, settings);
      auto view = std::make_shared<SyncProgressView>(std::cerr, options->batch, isatty(2) == 1);
      options->progress = [view](const sync::SyncProgress& progress) { view->Show(progress); };
      if (*watch) {
        // The watches wait up to wait_ms for the server: their answers get 15 s more to arrive.
        auto watch_transport =
            sync::MakeHttpTransport(settings.url, settings.token, settings.ca_file,
                                    static_cast<int>(sync::kDefaultWatchMs / 1000 + 15));
        sync::LiveSyncOptions live;
        live.sync = *options;
        live.periodic_ms = *interval_s * 1000;
        live.synced = [&](const sync::SessionSyncReport& outcome) {
          PrintSyncOutcome(ctx, settings.url, outcome);
          std::cout.flush();
          if (!outcome.sync.push_error.empty()) {
            std::cerr << "fieldcrm: " << outcome.sync.push_error << std::endl;
          }
        };
        live.note = [](const std::string& line) { std::cerr << "fieldcrm: " << line << std::endl; };
        auto own_session = [&ctx](const std::function<void(Session&)>& step) {
          step(ctx.session());
        };
        return sync::KeepInSync(own_session, *transport, *watch_transport, live);
      }
      sync::SessionSyncReport outcome = sync::SyncSession(ctx.session(), *transport, *options);
      PrintSyncOutcome(ctx, settings.url, outcome);
      const sync::SyncReport& report = outcome.sync;
      if (!report.push_error.empty()) throw InvalidInput(report.push_error);
    });
  }
  {
    auto* cmd = app.add_subcommand("status", "this device, its last sync and what is unsent");
    cmd->callback([&ctx] {
      json status = sync::SyncStatus(ctx.Open());
      if (ctx.json) return PrintJson(status);
      auto line = [](const char* label, const std::string& value) {
        std::cout << label << value << '\n';
      };
      line("device:        ", Show(status, "device") + " (" + Show(status, "device_id") + ")");
      line("agent, team:   ", Show(status, "agent") + ", " + Show(status, "team"));
      std::string server = Show(status, "server");
      line("server:        ", server.empty() ? "(never synced)" : server);
      std::string last = Show(status, "last_sync_at");
      line("last sync:     ", last.empty() ? "never" : last);
      line("pending:       ", Show(status["pending"]) + " changes not yet sent");
      line("server cursor: ", Show(status["server_cursor"]));
      line("clock:         ", DescribeSkew(status["clock_skew_ms"]));
      line("conflicts:     ", Show(status["conflicts"]) + " kept for review (fieldcrm conflicts)");
      line("erasures:      ", Show(status["erasures"]) + " customers erased by head office");
      if (const json& run = status["sync"]; run.is_object()) {
        std::string state = run.value("state", "");
        line("sync:          ", state + ": " + run.value("line", "") +
                                    (state == "failed" ? " (" + run.value("error", "") + ")" : ""));
      }
    });
  }
}

}  // namespace fieldcrm::cli
