#include "fieldcrm/server/dashboard.h"

#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "fieldcrm/reports/tier_reports.h"
#include "fieldcrm/server/body_limits.h"
#include "fieldcrm/server/dashboard_assets.h"
#include "fieldcrm/server/http_errors.h"
#include "fieldcrm/server/token.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

constexpr const char* kCookie = "fieldcrm_session";
// Pages the single-page script renders; each is served the same shell.
constexpr const char* kPages[] = {"/",          "/tiers",     "/funnel",  "/followups",
                                  "/churn",     "/referrals", "/surveys", "/complaints",
                                  "/retention", "/devices",   "/customer"};

std::string_view Asset(std::string_view name) {
  return FindAsset(DashboardAssets(), name);
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  return sync::CookieValue(req.get_header_value("Cookie"), name);
}

// Logged-in head-office people, by random session id (kept in memory: a restart logs out).
class Sessions {
 public:
  Sessions(int64_t lifetime_ms, const Env& env) : lifetime_ms_(lifetime_ms), env_(env) {}

  std::string Start(const Principal& who) {
    std::lock_guard lock(mutex_);
    int64_t now = env_.NowMillis();
    std::erase_if(sessions_, [now](const auto& s) { return s.second.expires_ms <= now; });
    std::string id = NewToken();
    sessions_[id] = {who, now + lifetime_ms_};
    return id;
  }
  std::optional<Principal> Find(const std::string& id) {
    if (id.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.expires_ms <= env_.NowMillis()) return std::nullopt;
    return it->second.who;
  }
  void End(const std::string& id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
  }
  int64_t lifetime_ms() const { return lifetime_ms_; }

 private:
  struct Session {
    Principal who;
    int64_t expires_ms;
  };
  int64_t lifetime_ms_;
  const Env& env_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

struct Dashboard {
  Dashboard(ServerStorage& s, DashboardOptions o)
      : storage(s),
        sessions(o.session_ms, s.env()),
        cookie_flags(o.https ? "; HttpOnly; Secure" : "; HttpOnly"),
        error_log(*o.error_log),
        auth_failures(o.auth_failures) {}

  ServerStorage& storage;
  Sessions sessions;
  std::string cookie_flags;  // HttpOnly, plus Secure behind HTTPS
  std::ostream& error_log;
  AuthFailureLimiter* auth_failures;

  // Counts a failed authentication of req's address; the seconds to wait (429) when the address
  // is over the limit, else 0.
  int64_t FailedAuthentication(const httplib::Request& req) {
    if (!auth_failures) return 0;
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    if (int64_t retry = auth_failures->RetryAfterSeconds(req.remote_addr, now)) return retry;
    auth_failures->NoteFailure(req.remote_addr, now);
    return 0;
  }

  // The token's principal when it is a valid (known, unrevoked) one.
  std::optional<Principal> FromToken(const std::string& token) {
    if (token.empty()) return std::nullopt;
    std::optional<TokenInfo> info = storage.FindToken(Sha256Hex(token));
    if (!info || !info->revoked_at.empty()) return std::nullopt;
    return Principal{info->id, info->agent, info->team, info->role};
  }

  std::optional<Principal> Caller(const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    if (header.starts_with("Bearer ")) return FromToken(header.substr(7));
    return sessions.Find(CookieValue(req, kCookie));
  }

  static void LoginPage(httplib::Response& res, int status, const std::string& message) {
    std::string page(Asset("login.html"));
    page.replace(page.find("{{message}}"), 11, HtmlEscape(message));
    res.status = status;
    res.set_content(page, "text/html; charset=utf-8");
  }

  // Serves a page or script to a logged-in office person; the login form (401) otherwise.
  void Page(const httplib::Request& req, httplib::Response& res, std::string_view asset,
            const char* type) {
    std::optional<Principal> who = Caller(req);
    if (!who) return LoginPage(res, 401, "");
    if (who->role != Role::kOffice) {
      return LoginPage(res, 403, "This dashboard is for head office: agent tokens cannot open it.");
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::string(Asset(asset)), type);
  }

  // The login form's fields: a token of 69 characters, so a few kilobytes are plenty. nullopt
  // (with the login page saying why) for a body too large, cut short or not valid gzip.
  static std::optional<httplib::Params> ReadForm(const httplib::Request& req,
                                                 httplib::Response& res,
                                                 const httplib::ContentReader& reader) {
    try {
      httplib::Params fields;
      httplib::detail::parse_query_text(ReadBody(req, reader, {.max_bytes = 4096}), fields);
      return fields;
    } catch (const ProtocolError& e) {
      LoginPage(res, e.status(), e.what());
      res.set_header("Connection", "close");
      return std::nullopt;
    }
  }

  void Login(const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader& reader) {
    std::optional<httplib::Params> form = ReadForm(req, res, reader);
    if (!form) return;
    auto token = form->find("token");
    std::optional<Principal> who = FromToken(token == form->end() ? "" : token->second);
    if (!who) {
      if (int64_t retry = FailedAuthentication(req)) {
        res.set_header("Retry-After", std::to_string(retry));
        return LoginPage(res, 429,
                         "Too many failed logins from this address: try again in " +
                             std::to_string(retry) + " s.");
      }
      return LoginPage(res, 401, "Unknown or revoked token: ask head office's admin.");
    }
    if (who->role != Role::kOffice) {
      return LoginPage(res, 403, "This is an agent's token: the dashboard needs an office token.");
    }
    res.set_header("Set-Cookie", std::string(kCookie) + "=" + sessions.Start(*who) + cookie_flags +
                                     "; SameSite=Strict; Path=/; Max-Age=" +
                                     std::to_string(sessions.lifetime_ms() / 1000));
    res.set_redirect("/", 303);
  }

  void Logout(const httplib::Request& req, httplib::Response& res) {
    sessions.End(CookieValue(req, kCookie));
    res.set_header("Set-Cookie", std::string(kCookie) + "=" + cookie_flags +
                                     "; SameSite=Strict; Path=/; Max-Age=0");
    res.set_redirect("/", 303);
  }

  void Report(const httplib::Request& req, httplib::Response& res, const std::string& name) {
    auto reply = [&res](int status, const json& body) {
      res.status = status;
      res.set_header("Cache-Control", "no-store");
      // A report or an error may quote the caller's bytes, which need not be valid UTF-8.
      res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json");
    };
    std::optional<Principal> who = Caller(req);
    if (!who) {
      if (int64_t retry = FailedAuthentication(req)) {
        res.set_header("Retry-After", std::to_string(retry));
        return reply(429, ErrorBody("rate_limited", "too many failed authentications from " +
                                                        req.remote_addr + ": try again in " +
                                                        std::to_string(retry) + " s"));
      }
      return reply(401, ErrorBody("unauthorized",
                                  "log in at / or send 'Authorization: Bearer OFFICE_TOKEN'"));
    }
    if (who->role != Role::kOffice) {
      return reply(403, ErrorBody("forbidden", "reports are for head office (an office token)"));
    }
    try {
      if (name.empty()) {
        json names = reports::ReportNames();
        names.push_back("devices");
        names.push_back("customer");
        return reply(200, {{"reports", names}});
      }
      std::map<std::string, std::string> params;
      for (const auto& [key, value] : req.params) params[key] = value;
      reply(200, storage.Report(name, params));
    } catch (const std::exception& e) {  // e.g. tiers without a usable tiering plugin: 503
      HttpErrorReply error = HttpErrorOf(e, req.method, req.path, error_log);
      reply(error.status, error.body);
    }
  }
};

}  // namespace

void RegisterDashboard(httplib::Server& http, ServerStorage& storage, DashboardOptions options) {
  auto dashboard = std::make_shared<Dashboard>(storage, options);
  for (const char* page : kPages) {
    http.Get(page, [dashboard](const httplib::Request& req, httplib::Response& res) {
      dashboard->Page(req, res, "index.html", "text/html; charset=utf-8");
    });
  }
  http.Get("/assets/app.js", [dashboard](const httplib::Request& req, httplib::Response& res) {
    dashboard->Page(req, res, "app.js", "text/javascript; charset=utf-8");
  });
  http.Get("/assets/app.css", [dashboard](const httplib::Request& req, httplib::Response& res) {
    dashboard->Page(req, res, "app.css", "text/css; charset=utf-8");
  });
  http.Post(kLoginPath, [dashboard](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
    dashboard->Login(req, res, reader);
  });
  http.Post(kLogoutPath, [dashboard](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& reader) {
    if (Dashboard::ReadForm(req, res, reader)) dashboard->Logout(req, res);
  });
  http.Get("/v1/reports", [dashboard](const httplib::Request& req, httplib::Response& res) {
    dashboard->Report(req, res, "");
  });
  http.Get(R"(/v1/reports/([a-z_]+))",
           [dashboard](const httplib::Request& req, httplib::Response& res) {
             dashboard->Report(req, res, req.matches[1]);
           });
}

}  // namespace fieldcrm::sync
