// Head office's web dashboard on the sync server's port: the pages under / (compiled-in assets),
// a login that turns an office token into a session cookie, and the JSON reports under
// /v1/reports/ (docs/reports.md), which also take 'Authorization: Bearer TOKEN'.
#pragma once

#include <cstdint>
#include <iostream>

#include "fieldcrm/server/server_storage.h"

namespace httplib {
class Server;
}

namespace fieldcrm::sync {

struct DashboardOptions {
  int64_t session_ms = 8 * 3600 * 1000;  // a login lasts a working day
  bool https = false;                    // session cookies then carry Secure: never sent in clear
  std::ostream* error_log = &std::cerr;  // see ServerOptions::error_log
};

// Adds the routes to http. storage must outlive http.
void RegisterDashboard(httplib::Server& http, ServerStorage& storage,
                       DashboardOptions options = {});

}  // namespace fieldcrm::sync
