// fieldcrm-plugin-host: runs one plugin for a fieldcrm program that isolates its plugins
// (fieldcrm/plugin_host/plugin_process.h). Started by that program, never by people:
//   fieldcrm-plugin-host FD MEMORY_MB CALL_CPU_SECONDS PLUGIN.so
// with the host's shared grade memory open at fd 4 (fieldcrm/plugin_host/shared_grades.h).
#include <charconv>
#include <iostream>
#include <string_view>

#include "fieldcrm/plugin_host/plugin_process.h"

namespace {

bool ParsePositive(std::string_view text, int64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t fd = 0;
  fieldcrm::PluginLimits limits;
  if (argc != 5 || !ParsePositive(argv[1], fd) || !ParsePositive(argv[2], limits.memory_mb) ||
      !ParsePositive(argv[3], limits.call_cpu_seconds)) {
    std::cerr << "usage: fieldcrm-plugin-host FD MEMORY_MB CALL_CPU_SECONDS PLUGIN.so (started by "
                 "fieldcrm and fieldcrm-server to run an isolated plugin)\n";
    return 2;
  }
  return fieldcrm::ServePlugin(static_cast<int>(fd), argv[4], limits);
}
