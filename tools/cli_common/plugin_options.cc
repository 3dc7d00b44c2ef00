#include "fieldcrm/cli/plugin_options.h"

namespace fieldcrm::cli {

void AddPluginRunOptions(CLI::App& app, PluginRunFlags& flags,
                         const std::string& default_isolation) {
  flags.isolation = default_isolation;
  app.add_option("--plugin-isolation", flags.isolation,
                 "where plugin code runs: none (in this process), third-party (plugins other than "
                 "the built-ins in a supervised plugin-host process each) or all")
      ->check(CLI::IsMember({"none", "third-party", "all"}))
      ->capture_default_str();
  app.add_option("--plugin-timeout-ms", flags.limits.call_timeout_ms,
                 "isolated plugins: longest one call may take before the plugin is stopped")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--plugin-cpu-seconds", flags.limits.call_cpu_seconds,
                 "isolated plugins: most CPU time one call may use")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--plugin-memory-mb", flags.limits.memory_mb,
                 "isolated plugins: most memory (address space) a plugin's process may use")
      ->check(CLI::Range(int64_t{64}, int64_t{1} << 20))
      ->capture_default_str();
}

}  // namespace fieldcrm::cli
