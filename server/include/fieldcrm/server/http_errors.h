// The one mapping from errors to HTTP answers, used by the sync endpoints and the dashboard
// alike. A fieldcrm::Error's stable code picks the status (a ProtocolError carries its own) and
// becomes the body's code; its message is meant for the caller. Anything else, and every error
// answered 500 (a storage failure, a bug), keeps its text on the server: it is written to the
// error log with a fresh request id, and the client gets only that id to quote.
#pragma once

#include <exception>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace fieldcrm::sync {

// The HTTP status e is answered with: 4xx for the caller's mistakes, 503 when a plugin the
// request needs is unusable, 500 for everything else.
int HttpStatusOf(const std::exception& e);

struct HttpErrorReply {
  int status = 500;
  nlohmann::json body;  // {"error": {"code": ..., "message": ...}}
};

// The answer to a request that failed with e. For a 500 it writes
// "error: request ID METHOD PATH: what" to error_log (one line, safe from several threads).
HttpErrorReply HttpErrorOf(const std::exception& e, const std::string& method,
                           const std::string& path, std::ostream& error_log);

}  // namespace fieldcrm::sync
