#include "fieldcrm/server/http_errors.h"

#include <map>
#include <mutex>
#include <random>

#include "fieldcrm/base/error.h"
#include "fieldcrm/sync/protocol.h"

namespace fieldcrm::sync {

namespace {

// Statuses of the codes a fieldcrm::Error may carry (docs/sync-protocol.md); a code missing here
// is a failure of the server's own.
const std::map<std::string, int, std::less<>>& StatusByCode() {
  static const std::map<std::string, int, std::less<>> statuses = {
      {"bad_request", 400},       {"unauthorized", 401},         {"forbidden", 403},
      {"not_found", 404},         {"sync_in_progress", 409},     {"wiped", 410},
      {"too_large", 413},         {"unsupported_encoding", 415}, {"clock_ahead", 422},
      {"upgrade_required", 426},  {"rate_limited", 429},         {"cancelled", 499},
      {"plugin_unavailable", 503}};
  return statuses;
}

std::string NewRequestId() {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  std::lock_guard lock(mutex);
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(random()));
  return id;
}

}  // namespace

int HttpStatusOf(const std::exception& e) {
  if (const auto* protocol = dynamic_cast<const ProtocolError*>(&e)) return protocol->status();
  if (const auto* error = dynamic_cast<const Error*>(&e)) {
    auto it = StatusByCode().find(error->code());
    if (it != StatusByCode().end()) return it->second;
  }
  return 500;
}

HttpErrorReply HttpErrorOf(const std::exception& e, const std::string& method,
                           const std::string& path, std::ostream& error_log) {
  int status = HttpStatusOf(e);
  if (status != 500) {
    return {status, ErrorBody(dynamic_cast<const Error&>(e).code(), e.what())};
  }
  std::string id = NewRequestId();
  {
    static std::mutex log_mutex;
    std::lock_guard lock(log_mutex);
    error_log << "error: request " << id << ' ' << method << ' ' << path << ": " << e.what()
              << std::endl;
  }
  return {500, ErrorBody("internal", "internal error (request id " + id + ")")};
}

}  // namespace fieldcrm::sync
