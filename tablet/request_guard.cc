#include "fieldcrm/tablet/request_guard.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/sync/web_page.h"

namespace fieldcrm::tablet {

namespace {

// Compares in time independent of where the texts differ, so the secret cannot be guessed
// byte by byte from response times.
bool SameSecret(const std::string& given, const std::string& secret) {
  return given.size() == secret.size() &&
         CRYPTO_memcmp(given.data(), secret.data(), secret.size()) == 0;
}

bool ChangesState(const std::string& method) {
  return method != "GET" && method != "HEAD";
}

}  // namespace

void CheckLoopback(const std::string& host) {
  if (host != "127.0.0.1" && host != "localhost") {
    throw InvalidInput("the app listens on the tablet itself only: use 127.0.0.1:PORT, not '" +
                       host + "'");
  }
}

RequestGuard::RequestGuard(int port, std::string secret)
    : port_(port), secret_(std::move(secret)) {}

bool RequestGuard::HostAllowed(const std::string& host) const {
  std::string port = ":" + std::to_string(port_);
  return host == "127.0.0.1" + port || host == "localhost" + port;
}

bool RequestGuard::OriginAllowed(const std::string& origin) const {
  return origin.starts_with("http://") && HostAllowed(origin.substr(7));
}

std::optional<RequestGuard::Refusal> RequestGuard::Check(const httplib::Request& req) const {
  if (!HostAllowed(req.get_header_value("Host"))) {
    return Refusal{421, "this app answers only at 127.0.0.1:" + std::to_string(port_)};
  }
  if (ChangesState(req.method)) {
    // Browsers send Origin with every cross-site POST and Sec-Fetch-Site with every request.
    if (req.has_header("Origin") && !OriginAllowed(req.get_header_value("Origin"))) {
      return Refusal{403, "cross-site request refused"};
    }
    std::string site = req.get_header_value("Sec-Fetch-Site");
    if (!site.empty() && site != "same-origin") return Refusal{403, "cross-site request refused"};
    if (!req.get_header_value("Content-Type").starts_with("application/json")) {
      return Refusal{415, "send JSON (Content-Type: application/json)"};
    }
  }
  if (IsLogin(req)) return std::nullopt;
  if (!SameSecret(sync::CookieValue(req.get_header_value("Cookie"), kSecretCookie), secret_)) {
    return Refusal{401, "open the address `fieldcrm app` printed when it started"};
  }
  return std::nullopt;
}

bool RequestGuard::IsLogin(const httplib::Request& req) const {
  return req.method == "GET" && req.path == "/" && SameSecret(req.get_param_value("key"), secret_);
}

void RequestGuard::SetCookie(httplib::Response& res) const {
  res.set_header("Set-Cookie", std::string(kSecretCookie) + "=" + secret_ +
                                   "; HttpOnly; SameSite=Strict; Path=/");
}

void RequestGuard::AddSecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

std::string NewSecret() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("no random bytes for the secret");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace fieldcrm::tablet
