// serve: answers tablets until SIGINT or SIGTERM, then finishes the requests in flight and exits.
#include <pthread.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/plugin_options.h"
#include "fieldcrm/postgres/pg_connection.h"
#include "fieldcrm/server/plugin_publishing.h"
#include "fieldcrm/server/server.h"
#include "server_cli.h"

namespace fieldcrm::sync {

namespace {

std::pair<std::string, int> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    throw InvalidInput("--listen takes HOST:PORT (port 0 picks a free one), not '" + listen + "'");
  }
  return {listen.substr(0, colon), std::stoi(port)};
}

// Loads the plugins the reports use (again after a publish or rollback) and says on stderr what
// was loaded, so that a missing tiering plugin is seen at start rather than on the dashboard.
std::unique_ptr<PluginHost> LoadPlugins(SqliteServerStorage& storage, const std::string& option,
                                        bool allow_unsigned, const cli::PluginRunFlags& run) {
  std::filesystem::path folder = PluginsFolder(option, nullptr);
  auto plugins =
      LoadServerPlugins(storage, {folder, AllowUnsignedPlugins(folder, allow_unsigned), {}, {}},
                        PluginRunOptions(run.Isolation(), run.limits), std::cerr);
  std::string loaded;
  for (const PluginState& state : plugins->States()) {
    if (state.role == "standby") {
      std::cerr << "fieldcrm-server: warning: plugin " << state.file
                << " stands by: " << state.role_reason << '\n';
    } else if (state.state == "loaded") {
      loaded += (loaded.empty() ? "" : ", ") + state.name +
                (state.release.is_object()
                     ? " " + state.release["version"].get<std::string>() + " (signed)"
                     : "") +
                (state.isolated ? " (isolated)" : "");
    } else {
      std::cerr << "fieldcrm-server: plugin " << state.file << " " << state.state << ": "
                << state.reason << '\n';
    }
  }
  std::cerr << "fieldcrm-server: plugins from " << plugins->sources().delivered.string() << " and "
            << plugins->dir().string() << ": " << (loaded.empty() ? "none" : loaded) << '\n';
  if (plugins->FirstOfKind("tiering") == nullptr) {
    std::cerr << "fieldcrm-server: warning: no tiering plugin: the tiers report answers 503 and "
                 "customer pages show no tier (publish one, or give serve --plugins DIR "
                 "--allow-unsigned-plugins)\n";
  }
  return plugins;
}

}  // namespace

void AddServeCommand(CLI::App& app, ServerContext& ctx) {
  auto* serve = app.add_subcommand("serve", "answer tablets' sync requests");
  auto listen = std::make_shared<std::string>("127.0.0.1:8080");
  auto options = std::make_shared<ServerOptions>();
  auto ahead_minutes = std::make_shared<int64_t>(options->max_clock_ahead_ms / 60000);
  auto plugins_dir = std::make_shared<std::string>();
  auto plugin_run = std::make_shared<cli::PluginRunFlags>();
  auto allow_unsigned = std::make_shared<bool>(false);
  serve->add_option("--listen", *listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--max-body", options->max_body_bytes, "largest request body in bytes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--max-clock-ahead", *ahead_minutes,
                   "refuse changes stamped more than this many minutes ahead of our clock (at "
                   "most 60: a wider bound would move every tablet's clock that far)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, sync::kMaxClockAheadLimitMs / 60000));
  serve->add_option("--cert", options->cert_file, "PEM certificate (chain) to serve HTTPS with")
      ->check(CLI::ExistingFile);
  serve->add_option("--key", options->key_file, "PEM private key of --cert")
      ->check(CLI::ExistingFile);
  auto create = std::make_shared<bool>(false);
  serve->add_flag("--create", *create,
                  "create the store when --db names no file (otherwise serve refuses, so a store "
                  "deleted by mistake is not silently replaced by an empty one)");
  serve->add_flag("--insecure-http", options->allow_plain_http,
                  "serve plain HTTP (loopback addresses only: local tests and demos)");
  serve
      ->add_option("--auth-failure-limit", options->auth_failure_limit,
                   "failed authentications per minute an address may make before it gets 429")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve->add_option("--trusted-proxy", options->trusted_proxies,
                    "address of a load balancer whose X-Forwarded-For names the client (haproxy: "
                    "option forwardfor); repeat for several. The failed-authentication limit and "
                    "the request log then count clients, not the balancer");
  serve
      ->add_option("--plugins", *plugins_dir,
                   "folder of local plugins for the reports (tiers), after the published ones; "
                   "default: $FIELDCRM_PLUGINS, else "
                   "../lib/fieldcrm/plugins next to this program, else the build's own")
      ->check(CLI::ExistingDirectory);
  // Head office runs plugins from third parties: isolated unless told otherwise.
  cli::AddPluginRunOptions(*serve, *plugin_run, "third-party");
  serve->add_flag("--allow-unsigned-plugins", *allow_unsigned,
                  "also load the --plugins folder's plugins that head office did not sign "
                  "(published plugins are always loaded first, signed)");
  serve->callback([&ctx, listen, options, ahead_minutes, plugins_dir, allow_unsigned, plugin_run,
                   create] {
    auto [host, port] = ParseListen(*listen);
    if (!*create && !ctx.db_path.empty() && !postgres::IsPostgresUrl(ctx.db_path) &&
        !std::filesystem::exists(ctx.db_path)) {
      throw InvalidInput("no server store at '" + ctx.db_path +
                         "': give the path of the existing store, or serve --create to start "
                         "an empty one (a `token create` also creates it)");
    }
    // A file deleted or replaced under a running server stops its pushes; PostgreSQL has no file.
    options->store_file = postgres::IsPostgresUrl(ctx.db_path) ? "" : ctx.db_path;
    options->max_clock_ahead_ms = *ahead_minutes * 60000;
    options->log = &std::cerr;
    // Signals go to the waiter thread alone (blocked before any other thread starts).
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a tablet gone mid-answer must not end the server
    SqliteServerStorage& storage = ctx.Open();
    storage.CatchUp();  // on PostgreSQL, the replica is built before the first tablet asks
    storage.UsePlugins([&storage, folder = *plugins_dir, allow = *allow_unsigned,
                        run = *plugin_run] { return LoadPlugins(storage, folder, allow, run); });
    SyncServer server(ctx.Open(), *options);
    int bound = server.Bind(host, port);
    std::cout << "listening on " << server.Scheme() << "://" << host << ":" << bound << std::endl;
    std::thread waiter([&server, &stop_signals] {
      int signal = 0;
      sigwait(&stop_signals, &signal);
      std::cerr << "fieldcrm-server: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
                << ": finishing requests in flight, then stopping" << std::endl;
      server.Stop();
    });
    server.Serve();
    pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if Serve ended by itself
    waiter.join();
    std::cerr << "fieldcrm-server: stopped" << std::endl;
  });
}

}  // namespace fieldcrm::sync
