// Head office's web dashboard on the sync server's port: the pages under / (compiled-in assets),
// a login that turns an office token into a session cookie, and the JSON reports under
// /v1/reports/ (docs/reports.md), which also take 'Authorization: Bearer TOKEN'.
#pragma once

#include <cstdint>
#include <iostream>

#include "fieldcrm/server/client_address.h"
#include "fieldcrm/server/server_storage.h"
#include "fieldcrm/sync/net_policy.h"

namespace httplib {
class Server;
}

namespace fieldcrm::sync {

// The dashboard's two routes that take a (small, form) body.
inline constexpr const char* kLoginPath = "/login";
inline constexpr const char* kLogoutPath = "/logout";
// Pages the single-page script renders; each is served the same shell.
inline constexpr const char* kDashboardPages[] = {
    "/",           "/tiers",     "/funnel",    "/followups", "/churn",    "/referrals", "/surveys",
    "/complaints", "/retention", "/reception", "/devices",   "/customer", "/list",      "/search"};

struct DashboardOptions {
  int64_t session_ms = 8 * 3600 * 1000;  // a login lasts a working day
  bool https = false;                    // session cookies then carry Secure: never sent in clear
  std::ostream* error_log = &std::cerr;  // see ServerOptions::error_log
  // Failed logins and report requests without a valid token count here (per address, shared
  // with sync); an address over the limit gets 429. None: not limited.
  AuthFailureLimiter* auth_failures = nullptr;
  // Who a request is from (behind a load balancer); none: the connection's peer.
  const ClientAddresses* clients = nullptr;
};

// Adds the routes to http. storage must outlive http.
void RegisterDashboard(httplib::Server& http, ServerStorage& storage,
                       DashboardOptions options = {});

}  // namespace fieldcrm::sync
