#include "fieldcrm/server/request_hygiene.h"

#include <httplib.h>

#include "fieldcrm/base/utf8.h"
#include "fieldcrm/server/dashboard.h"

namespace fieldcrm::sync {

std::optional<ProtocolError> RequestHygieneRefusal(const httplib::Request& req) {
  bool valid = IsValidUtf8(req.path);
  for (const auto& [key, value] : req.params)
    valid = valid && IsValidUtf8(key) && IsValidUtf8(value);
  for (const auto& [name, value] : req.headers)
    valid = valid && IsValidUtf8(name) && IsValidUtf8(value);
  if (!valid) {
    return ProtocolError(400, "bad_request",
                         "the request's path, query or headers are not valid UTF-8 text");
  }
  if (req.method == "POST" && req.path == kLoginPath && req.has_header("Origin")) {
    std::string origin = req.get_header_value("Origin");
    std::string host = req.get_header_value("Host");
    if (origin != "https://" + host && origin != "http://" + host) {
      return ProtocolError(403, "forbidden",
                           "log in from the dashboard's own page, not from " + origin);
    }
  }
  return std::nullopt;
}

void AddSecurityHeaders(httplib::Response& res, bool https) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                 "frame-ancestors 'none'; "
                 "base-uri 'none'; form-action 'self'");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with the login
  // form, which the Origin check must refuse.
  res.set_header("Referrer-Policy", "same-origin");
  if (https) res.set_header("Strict-Transport-Security", "max-age=31536000");
}

}  // namespace fieldcrm::sync
