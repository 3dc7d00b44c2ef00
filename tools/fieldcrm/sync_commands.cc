// sync | status: exchanging changes with head office's server, and how far along that is.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>

#include "core/error.h"
#include "core/plugin_review.h"
#include "sync/client.h"
#include "sync/clock_policy.h"
#include "tools/fieldcrm/context.h"
#include "tools/fieldcrm/output.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

// Remembered after the first sync so that later ones need no arguments.
constexpr const char* kServerKey = "sync.server";
constexpr const char* kTokenKey = "sync.token";
constexpr const char* kCaFileKey = "sync.ca_file";

std::string Remembered(Store& store, const std::string& given, const char* key,
                       const char* option) {
  if (!given.empty()) return given;
  if (auto known = store.GetMeta(key)) return *known;
  throw InvalidInput(std::string("no ") + option +
                     " given and none remembered from an earlier sync");
}

// Head office revoked this tablet's token with --wipe (lost or stolen): the store and its SQLite
// side files go, token included. Returns the files deleted.
std::string WipeStore(Context& ctx) {
  ctx.plugins.reset();
  ctx.store.reset();  // closes the database before its files are removed
  std::string deleted;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::string file = ctx.db_path + suffix;
    if (std::filesystem::remove(file)) deleted += (deleted.empty() ? "" : ", ") + file;
  }
  return deleted;
}

void PrintRefusals(const std::vector<sync::Refusal>& refused) {
  // One line per record and reason: a refused customer has many fields.
  std::map<std::pair<std::string, std::string>, int> grouped;
  for (const sync::Refusal& r : refused) ++grouped[{r.record, r.reason}];
  for (const auto& [key, count] : grouped) {
    std::cerr << "refused " << count << " change" << (count == 1 ? "" : "s") << " of record "
              << key.first << ": " << key.second << '\n';
  }
}

json StatusJson(Store& store) {
  const DeviceInfo& device = store.device();
  int64_t conflicts = store.db().QueryInt("SELECT count(*) FROM conflicts").value_or(0);
  auto meta = [&](const char* key) { return store.GetMeta(key).value_or(""); };
  json skew = nullptr;
  if (auto text = store.GetMeta(sync::kClockSkewKey)) skew = std::stoll(*text);
  return {{"device", device.name},
          {"device_id", device.id},
          {"agent", device.agent},
          {"team", device.team},
          {"server", meta(kServerKey)},
          {"last_sync_at", meta(sync::kLastSyncKey)},
          {"pending", sync::PendingChanges(store)},
          {"server_cursor", std::stoll(store.GetMeta(sync::kPullCursorKey).value_or("0"))},
          {"clock_skew_ms", skew},
          {"conflicts", conflicts}};
}

std::string DescribeSkew(const json& skew) {
  if (skew.is_null()) return "not measured yet";
  int64_t ms = skew.get<int64_t>();
  if (ms > -1000 && ms < 1000) return "in step with the server";
  return sync::DescribeDuration(ms < 0 ? -ms : ms) + (ms < 0 ? " behind" : " ahead of") +
         " the server at the last sync";
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
    cmd->add_option("--server", *server, "server URL, e.g. https://192.168.1.10:8443 (remembered)");
    cmd->add_option("--token", *token, "this device's token from head office (remembered)");
    cmd->add_option("--ca-file", *ca_file,
                    "PEM certificate of head office's own CA, for a self-signed server "
                    "(remembered; default: the system's trusted CAs)");
    cmd->add_option("--batch", options->batch, "changes per request")
        ->capture_default_str()
        ->check(CLI::Range(int64_t{1}, sync::kMaxBatch));
    cmd->add_flag("--full", options->full, "send and fetch everything again (repairs any gap)");
    cmd->callback([&ctx, server, token, ca_file, options] {
      Store& store = ctx.Open();
      std::string url = Remembered(store, *server, kServerKey, "--server");
      std::string secret = Remembered(store, *token, kTokenKey, "--token");
      std::string ca = ca_file->empty() ? store.GetMeta(kCaFileKey).value_or("") : *ca_file;
      // A server that drops the connection mid-request is a network error to report, not a
      // SIGPIPE that ends the process silently (httplib sends without MSG_NOSIGNAL).
      signal(SIGPIPE, SIG_IGN);
      auto transport = sync::MakeHttpTransport(url, secret, ca);
      Transaction remember(store.db());  // so that an interrupted sync is resumed by plain 'sync'
      store.SetMeta(kServerKey, url);
      store.SetMeta(kTokenKey, secret);
      store.SetMeta(kCaFileKey, ca);
      remember.Commit();
      options->progress = [](const std::string& line) { std::cerr << line << std::endl; };
      sync::SyncReport report;
      try {
        report = sync::SyncClient(store, *transport, *options).Run();
      } catch (const sync::ProtocolError& e) {
        if (e.code() != "wiped") throw;
        throw InvalidInput(std::string(e.what()) + ": deleted " + WipeStore(ctx));
      }
      if (report.received > 0 && report.push_error.empty()) {
        // What arrived may complete a rule (a referred customer's deal signed elsewhere): let the
        // plugins react, and send what they wrote in the same sync. Their record ids derive from
        // the facts, so replicas that react to the same deal write the same record.
        ReviewResult review = ReviewCustomers(store, ctx.Plugins(), ctx.AsOfMs());
        for (const std::string& failure : review.failures) {
          std::cerr << "fieldcrm: warning: " << failure << '\n';
        }
        if (review.created > 0) {
          sync::SyncReport again = sync::SyncClient(store, *transport, *options).Run();
          report.sent += again.sent;
          report.received += again.received;
          report.conflicts += again.conflicts;
          report.merged += again.merged;
          report.refused.insert(report.refused.end(), again.refused.begin(), again.refused.end());
        }
      }
      PrintRefusals(report.refused);
      if (report.clock_skew_ms < -sync::kDefaultMaxClockAheadMs) {
        std::cerr << "warning: this tablet's clock is "
                  << sync::DescribeDuration(-report.clock_skew_ms)
                  << " behind the server's: its edits lose to others made at the same time; "
                     "set the correct date and time\n";
      }
      if (ctx.json) {
        PrintJson({{"sent", report.sent},
                   {"received", report.received},
                   {"conflicts", report.conflicts},
                   {"merged", report.merged},
                   {"refused", report.refused.size()},
                   {"clock_skew_ms", report.clock_skew_ms},
                   {"error", report.push_error}});
      } else {
        std::cout << "synced with " << url << ": sent " << report.sent << ", received "
                  << report.received << ", conflicts " << report.conflicts << ", duplicates merged "
                  << report.merged << ", refused " << report.refused.size() << '\n';
      }
      if (!report.push_error.empty()) throw InvalidInput(report.push_error);
    });
  }
  {
    auto* cmd = app.add_subcommand("status", "this device, its last sync and what is unsent");
    cmd->callback([&ctx] {
      json status = StatusJson(ctx.Open());
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
    });
  }
}

}  // namespace fieldcrm::cli
