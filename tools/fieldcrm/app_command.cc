// app: the agent's app on this tablet (fieldcrm/tablet/app_server.h, docs/app.md), served on
// loopback until Ctrl-C or SIGTERM.
#include <csignal>
#include <iostream>
#include <thread>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/tablet/app_server.h"

namespace fieldcrm::cli {

namespace {

tablet::AppOptions ParseListen(const std::string& listen) {
  tablet::AppOptions options;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw InvalidInput("--listen takes HOST:PORT, got '" + listen + "'");
  options.host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    throw InvalidInput("--listen: '" + port + "' is not a port number");
  }
  options.port = std::stoi(port);
  return options;
}

}  // namespace

void AddAppCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "app", "the agent's app: a web app on this tablet, opened in its browser (docs/app.md)");
  auto listen = std::make_shared<std::string>("127.0.0.1:8765");
  cmd->add_option("--listen", *listen, "loopback address and port (port 0: any free one)")
      ->capture_default_str();
  auto no_live = std::make_shared<bool>(false);
  cmd->add_flag("--no-live", *no_live,
                "no live updates: sync only when the agent taps 同步 Sync (no connection to head "
                "office kept open)");
  cmd->callback([&ctx, listen, no_live] {
    tablet::AppOptions options = ParseListen(*listen);
    options.live = !*no_live;
    options.session = ctx.Options();  // the store may not exist yet: the app's set-up creates it
    // Ctrl-C and SIGTERM stop the server from a thread of their own (httplib is not signal-safe);
    // a head office that drops a sync connection is an error to show, not a SIGPIPE.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);
    tablet::AppServer server(std::move(options));
    server.Bind();
    std::cout << "fieldcrm app: open " << server.url() << std::endl;
    std::thread stopper([&server, stop_signals] {
      int received = 0;
      sigwait(&stop_signals, &received);
      server.Stop();
    });
    server.Run();
    pthread_kill(stopper.native_handle(), SIGTERM);  // wakes it when Run ended by itself
    stopper.join();
  });
}

}  // namespace fieldcrm::cli
