// What keeps everything but the tablet's own browser out of the app (docs/app.md):
//  - the server listens on loopback only (CheckLoopback);
//  - the Host header must name that loopback address and port, so a page of another site whose
//    name was rebound to 127.0.0.1 (DNS rebinding) is refused;
//  - the per-launch secret, printed in the URL `fieldcrm app` shows, is traded once for an
//    HttpOnly, SameSite=Strict cookie; every other request needs that cookie;
//  - a request that changes state must be a same-origin JSON POST (Origin and Sec-Fetch-Site
//    checked, Content-Type application/json, which no plain cross-site form can send);
//  - every answer forbids framing, sniffing and anything not from the app itself (CSP).
#pragma once

#include <optional>
#include <string>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace fieldcrm::tablet {

inline constexpr const char* kSecretCookie = "fieldcrm_app";

// Throws InvalidInput unless host is a loopback address the app may listen on.
void CheckLoopback(const std::string& host);

class RequestGuard {
 public:
  RequestGuard(int port, std::string secret);

  // The refusal (status and message) for a request that must not reach the app, or nullopt.
  struct Refusal {
    int status;
    std::string message;
  };
  std::optional<Refusal> Check(const httplib::Request& req) const;
  // True when the request carries the secret in its URL (?key=SECRET) and is otherwise allowed:
  // the answer then sets the cookie (SetCookie).
  bool IsLogin(const httplib::Request& req) const;
  void SetCookie(httplib::Response& res) const;
  // Headers every answer carries (CSP, framing, sniffing, caching).
  static void AddSecurityHeaders(httplib::Response& res);

 private:
  bool HostAllowed(const std::string& host) const;
  bool OriginAllowed(const std::string& origin) const;

  int port_;
  std::string secret_;
};

// A random secret of 32 hex digits (128 bits) from OpenSSL's generator.
std::string NewSecret();

}  // namespace fieldcrm::tablet
