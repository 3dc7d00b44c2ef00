#include "fieldcrm/server/request_hygiene.h"

#include <httplib.h>

#include <string_view>

#include "fieldcrm/server/dashboard.h"

namespace fieldcrm::sync {

namespace {

bool ValidUtf8(std::string_view text) {
  static constexpr uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t extra = lead < 0x80             ? 0
                   : (lead & 0xe0) == 0xc0 ? 1
                   : (lead & 0xf0) == 0xe0 ? 2
                   : (lead & 0xf8) == 0xf0 ? 3
                                           : 4;
    if (extra == 4 || text.size() - i <= extra) return false;
    uint32_t point = extra == 0 ? lead : lead & (0x7f >> (extra + 1));
    for (size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      point = (point << 6) | (next & 0x3f);
    }
    if (point < kSmallest[extra] || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
      return false;  // overlong, beyond Unicode, or a surrogate
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

std::optional<ProtocolError> RequestHygieneRefusal(const httplib::Request& req) {
  bool valid = ValidUtf8(req.path);
  for (const auto& [key, value] : req.params) valid = valid && ValidUtf8(key) && ValidUtf8(value);
  for (const auto& [name, value] : req.headers)
    valid = valid && ValidUtf8(name) && ValidUtf8(value);
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
