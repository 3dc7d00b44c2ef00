// The plugin-host process: the program (fieldcrm-plugin-host) that loads one plugin library and
// answers the host's calls over a channel (plugin_channel.h), under limits set on itself, so that
// a plugin that crashes, hangs or allocates without bound takes down only this process. The host
// side is IsolatedPlugin (isolated_plugin.h), which also enforces the time limit.
#pragma once

#include <cstdint>
#include <filesystem>

namespace fieldcrm {

// What one isolated plugin may use. A call that takes longer than call_timeout_ms (wall clock) or
// call_cpu_seconds (CPU), or a process that needs more than memory_mb of address space, is
// stopped and the plugin disabled.
struct PluginLimits {
  int64_t call_timeout_ms = 10000;
  int64_t call_cpu_seconds = 10;
  int64_t memory_mb = 1024;
};

// The exit code of a plugin-host process whose plugin hit the memory limit (an allocation failed).
inline constexpr int kPluginOutOfMemoryExit = 86;

// The process's main loop: maps the host's shared grade memory (fd kSharedGradesFd,
// shared_grades.h), limits itself, loads the plugin at `file`, sends a hello frame (the manifest,
// or why it was refused) on fd, then answers one request at a time until the host closes the
// channel. Returns the exit code.
int ServePlugin(int fd, const std::filesystem::path& file, const PluginLimits& limits);

}  // namespace fieldcrm
