// The options both programs take on how plugins run (fieldcrm/plugin_host/plugin_host.h
// PluginIsolation, plugin_process.h PluginLimits), spelt the same in both.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "fieldcrm/plugin_host/plugin_host.h"

namespace fieldcrm::cli {

struct PluginRunFlags {
  std::string isolation;
  PluginLimits limits;
  PluginIsolation Isolation() const { return ParsePluginIsolation(isolation); }
};

// Adds --plugin-isolation (default_isolation unless given), --plugin-timeout-ms,
// --plugin-cpu-seconds and --plugin-memory-mb to app.
void AddPluginRunOptions(CLI::App& app, PluginRunFlags& flags,
                         const std::string& default_isolation);

}  // namespace fieldcrm::cli
