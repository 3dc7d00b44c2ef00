// What every request and answer of the server goes through besides its route: text that is not
// UTF-8 is refused with a 400 before any route sees it (the JSON library would otherwise throw
// while answering, and httplib would put the exception's text in a header); the dashboard's
// login form is accepted only from the dashboard's own origin; and every answer carries the
// browser security headers.
#pragma once

#include <optional>

#include "fieldcrm/sync/protocol.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace fieldcrm::sync {

// Why req must be refused before routing (nullopt: let it through): a path, query parameter or
// header value that is not valid UTF-8, or a POST to /login from another origin (a page elsewhere
// logging the browser in with a token of its choosing).
std::optional<ProtocolError> RequestHygieneRefusal(const httplib::Request& req);

// Content-Security-Policy (own scripts and styles only, no framing), X-Frame-Options,
// X-Content-Type-Options and Referrer-Policy on every answer; HSTS too behind HTTPS.
void AddSecurityHeaders(httplib::Response& res, bool https);

}  // namespace fieldcrm::sync
