#include "bench_server.h"

#include "tablets.h"

namespace fieldcrm::bench {

sync::ServerOptions LoopbackServerOptions() {
  sync::ServerOptions options;
  options.allow_plain_http = true;
  return options;
}

BenchServer::BenchServer(const std::string& db_path)
    : storage_(RemoveStoreFiles(db_path)), server_(storage_, LoopbackServerOptions()) {
  port_ = server_.Bind("127.0.0.1", 0);
  thread_ = std::thread([this] { server_.Serve(); });
}

BenchServer::~BenchServer() {
  server_.Stop();
  thread_.join();
}

std::string BenchServer::AgentToken(const std::string& agent, const std::string& team) {
  sync::TokenInfo info;
  info.agent = agent;
  info.team = team;
  return sync::IssueToken(storage_, info);
}

}  // namespace fieldcrm::bench
