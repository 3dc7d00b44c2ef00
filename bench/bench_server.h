// A real fieldcrm sync server on 127.0.0.1 (a free port) inside the benchmark process, with
// tokens issued for the tablets that will talk to it.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "fieldcrm/server/server.h"
#include "fieldcrm/server/sqlite_server_storage.h"

namespace fieldcrm::bench {

// Plain HTTP on 127.0.0.1, as the benchmarks measure the sync itself, not TLS.
sync::ServerOptions LoopbackServerOptions();

class BenchServer {
 public:
  // Starts on a fresh store at db_path (replacing one left from an earlier run).
  explicit BenchServer(const std::string& db_path);
  ~BenchServer();
  BenchServer(const BenchServer&) = delete;
  BenchServer& operator=(const BenchServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // A new agent token for team.
  std::string AgentToken(const std::string& agent, const std::string& team);
  sync::SqliteServerStorage& storage() { return storage_; }

 private:
  sync::SqliteServerStorage storage_;
  sync::SyncServer server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace fieldcrm::bench
