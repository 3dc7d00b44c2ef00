// The session every command works in, from the options given before the command.
#include "context.h"

#include <iostream>

#include "fieldcrm/model/fields.h"

namespace fieldcrm::cli {

SessionOptions Context::Options() const {
  if (db_path.empty()) throw CLI::RequiredError("--db");
  SessionOptions options;
  options.db_path = db_path;
  options.plugins_dir = plugins_dir;
  if (!as_of.empty()) options.as_of_ms = ParseTime(as_of, "--as-of");
  options.plugin_isolation = plugin_run.Isolation();
  options.plugin_limits = plugin_run.limits;
  options.allow_unsigned_plugins = allow_unsigned_plugins;
  return options;
}

Session& Context::session() {
  if (!session_) session_ = std::make_unique<Session>(Options());
  return *session_;
}

void Context::Warn(const std::vector<std::string>& warnings) const {
  for (const std::string& warning : warnings) std::cerr << "fieldcrm: warning: " << warning << '\n';
}

}  // namespace fieldcrm::cli
