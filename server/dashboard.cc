#include "fieldcrm/server/dashboard.h"

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "fieldcrm/base/error.h"
#include "fieldcrm/reports/customer_list.h"
#include "fieldcrm/reports/report_xlsx.h"
#include "fieldcrm/reports/tier_reports.h"
#include "fieldcrm/server/body_limits.h"
#include "fieldcrm/server/connection_limits.h"
#include "fieldcrm/server/dashboard_assets.h"
#include "fieldcrm/server/dashboard_users.h"
#include "fieldcrm/server/http_errors.h"
#include "fieldcrm/server/token.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

constexpr const char* kCookie = "fieldcrm_session";

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

// Logged-in head-office people, by random session id: kept with the server's tables (by the
// id's hash), so every server process behind a load balancer knows them and a restart keeps them.
class Sessions {
 public:
  Sessions(int64_t lifetime_ms, ServerStorage& storage)
      : lifetime_ms_(lifetime_ms), storage_(storage) {}

  std::string Start(const Principal& who) {
    int64_t now = storage_.env().NowMillis();
    std::string id = NewToken();
    storage_.PutSession(Sha256Hex(id), who, now + lifetime_ms_, now);
    return id;
  }
  std::optional<Principal> Find(const std::string& id) {
    if (id.empty()) return std::nullopt;
    return storage_.FindSession(Sha256Hex(id), storage_.env().NowMillis());
  }
  void End(const std::string& id) { storage_.DropSession(Sha256Hex(id)); }
  int64_t lifetime_ms() const { return lifetime_ms_; }

 private:
  int64_t lifetime_ms_;
  ServerStorage& storage_;
};

struct Dashboard {
  Dashboard(ServerStorage& s, DashboardOptions o)
      : storage(s),
        sessions(o.session_ms, s),
        cookie_flags(o.https ? "; HttpOnly; Secure" : "; HttpOnly"),
        error_log(*o.error_log),
        auth_failures(o.auth_failures),
        clients(o.clients) {}

  ServerStorage& storage;
  Sessions sessions;
  std::string cookie_flags;  // HttpOnly, plus Secure behind HTTPS
  std::ostream& error_log;
  AuthFailureLimiter* auth_failures;
  const ClientAddresses* clients;

  std::string Client(const httplib::Request& req) const {
    return clients ? clients->Of(req.remote_addr, req.get_header_value("X-Forwarded-For"))
                   : req.remote_addr;
  }

  // Counts a failed authentication of req's address when it presented a credential (a request
  // that sent none guessed nothing: a page opened before logging in); the seconds to wait (429)
  // when the address is over the limit, else 0.
  int64_t FailedAuthentication(const httplib::Request& req) {
    if (!auth_failures) return 0;
    const std::string client = Client(req);
    if (int64_t retry = auth_failures->RetryAfterSeconds(client)) return retry;
    bool presented = req.method == "POST" || req.has_header("Authorization") ||
                     req.get_header_value("Cookie").find(kCookie) != std::string::npos;
    if (presented) auth_failures->NoteFailure(client);
    return 0;
  }

  static void TooManyLogins(httplib::Response& res, int64_t retry) {
    res.set_header("Retry-After", std::to_string(retry));
    LoginPage(
        res, 429,
        "Too many failed logins from this address: try again in " + std::to_string(retry) + " s.");
  }

  // The token's principal when it is a valid (known, unrevoked) one.
  std::optional<Principal> FromToken(const std::string& token) {
    if (token.empty()) return std::nullopt;
    std::optional<TokenInfo> info = storage.FindToken(Sha256Hex(token));
    if (!info || !info->revoked_at.empty()) return std::nullopt;
    return Principal{info->id, info->agent, info->team, info->role};
  }

  // A person's session follows their account: removed, it ends; a new team applies at once.
  std::optional<Principal> Caller(const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    if (header.starts_with("Bearer ")) return FromToken(header.substr(7));
    std::optional<Principal> who = sessions.Find(CookieValue(req, kCookie));
    return who ? CurrentUser(storage, *who) : std::nullopt;
  }

  // Head office sees every team; a team leader their own; agents use their tablets.
  static bool MayOpenDashboard(const Principal& who) { return who.role != Role::kAgent; }

  static void LoginPage(httplib::Response& res, int status, const std::string& message) {
    std::string page(Asset("login.html"));
    page.replace(page.find("{{message}}"), 11, HtmlEscape(message));
    res.status = status;
    res.set_content(page, "text/html; charset=utf-8");
  }

  // Serves a page or script to a logged-in office person or team leader; the login form (401)
  // otherwise.
  void Page(const httplib::Request& req, httplib::Response& res, std::string_view asset,
            const char* type) {
    std::optional<Principal> who = Caller(req);
    if (!who) return LoginPage(res, 401, "");
    if (!MayOpenDashboard(*who)) {
      return LoginPage(res, 403,
                       "This dashboard is for team leaders and head office: agent tokens cannot "
                       "open it.");
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::string(Asset(asset)), type);
  }

  // The login form's fields: a name and a password, or a token of 69 characters, so a few
  // kilobytes are plenty. nullopt
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
    auto field = [&form](const char* name) {
      auto it = form->find(name);
      return it == form->end() ? std::string() : it->second;
    };
    // A person logs in with name and password; a script or an admin may still use a token.
    const bool person = form->count("name") > 0;
    std::optional<Principal> who;
    if (!person) {
      who = FromToken(field("token"));
    } else if (!field("name").empty()) {
      // Not even hashed while the address is over the limit: guessing costs the server nothing.
      if (int64_t retry = auth_failures ? auth_failures->RetryAfterSeconds(Client(req)) : 0) {
        return TooManyLogins(res, retry);
      }
      who = CheckPassword(storage, field("name"), field("password"));
    }
    if (!who) {
      if (int64_t retry = FailedAuthentication(req)) return TooManyLogins(res, retry);
      return LoginPage(res, 401,
                       person ? "Unknown name or wrong password: ask head office's admin."
                              : "Unknown or revoked token: ask head office's admin.");
    }
    if (!MayOpenDashboard(*who)) {
      return LoginPage(res, 403,
                       "This is an agent's token: the dashboard needs a team leader's or head "
                       "office's login.");
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

  // Why a team leader may not ask for this (nullopt: they may, with their team as the filter):
  // every report and list is of their own team.
  static std::optional<std::string> LeaderRefusal(
      const Principal& who, const std::string& name,
      const std::map<std::string, std::string>& params) {
    auto team = params.find("team");
    if (name == "customer" || team == params.end() || team->second == who.team) {
      return std::nullopt;
    }
    return "a team leader sees their own team " + who.team + " only, not '" + team->second + "'";
  }

  // A report as JSON, or as an .xlsx workbook (every table, or ?table=NAME; a customer list
  // with every page) when `xlsx`; errors are JSON either way.
  void Report(const httplib::Request& req, httplib::Response& res, const std::string& name,
              bool xlsx) {
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
        return reply(
            429, ErrorBody("rate_limited", "too many failed authentications from " + Client(req) +
                                               ": try again in " + std::to_string(retry) + " s"));
      }
      return reply(401, ErrorBody("unauthorized",
                                  "log in at / or send 'Authorization: Bearer OFFICE_TOKEN'"));
    }
    if (!MayOpenDashboard(*who)) {
      return reply(403, ErrorBody("forbidden",
                                  "reports are for team leaders and head office, not agents' "
                                  "tokens"));
    }
    try {
      if (name.empty()) {
        json names = reports::ReportNames();
        names.push_back("reception");
        names.push_back("devices");
        names.push_back("customer");
        names.push_back("choices");
        names.push_back("customer_list");
        names.push_back("search");
        return reply(
            200,
            {{"reports", names},
             {"who", {{"name", who->agent}, {"role", RoleName(who->role)}, {"team", who->team}}}});
      }
      std::map<std::string, std::string> params;
      for (const auto& [key, value] : req.params) params[key] = value;
      if (who->role == Role::kLeader) {
        if (std::optional<std::string> refusal = LeaderRefusal(*who, name, params)) {
          return reply(403, ErrorBody("forbidden", *refusal));
        }
        params["team"] = who->team;
      }
      std::string table;
      if (xlsx) {
        table = params["table"];
        params.erase("table");
        if (name == "customer_list") {
          params["page"] = "1";
          params["page_size"] = std::to_string(reports::kCustomerListMaxPageSize);
        }
      }
      json report = storage.Report(name, params, ClientGone);
      if (who->role == Role::kLeader && name == "customer" &&
          report["record"].value("team", "") != who->team) {
        return reply(403, ErrorBody("forbidden", "customer '" + params["id"] +
                                                     "' is not of your team " + who->team));
      }
      if (xlsx) return Workbook(res, name, table, report);
      reply(200, report);
    } catch (const std::exception& e) {  // e.g. tiers without a usable tiering plugin: 503
      // A name not found is answered with the names there are, every team's: a leader hears
      // only that their team has no such thing.
      if (who->role == Role::kLeader && dynamic_cast<const NotFound*>(&e)) {
        return reply(404, ErrorBody("not_found", "nothing of that name among your team " +
                                                     who->team + "'s customers"));
      }
      HttpErrorReply error = HttpErrorOf(e, req.method, req.path, error_log);
      reply(error.status, error.body);
    }
  }

  static void Workbook(httplib::Response& res, const std::string& name, const std::string& table,
                       const json& report) {
    if (!report.contains("tables")) throw NotFound("report '" + name + "' has no tables to export");
    std::string bytes =
        XlsxBytes([&](XlsxWriter& writer) { reports::AddReportSheets(writer, report, table); });
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    // Report and table names are [a-z_] (a table asked for was found in the report): nothing to
    // quote in the file name.
    res.set_header("Content-Disposition", "attachment; filename=\"" + name +
                                              (table.empty() ? "" : "-" + table) + ".xlsx\"");
    res.set_content(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  }
};

}  // namespace

void RegisterDashboard(httplib::Server& http, ServerStorage& storage, DashboardOptions options) {
  auto dashboard = std::make_shared<Dashboard>(storage, options);
  for (const char* page : kDashboardPages) {
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
    dashboard->Report(req, res, "", false);
  });
  http.Get(R"(/v1/reports/([a-z_]+))",
           [dashboard](const httplib::Request& req, httplib::Response& res) {
             dashboard->Report(req, res, req.matches[1], false);
           });
  http.Get(R"(/v1/reports/([a-z_]+)\.xlsx)",
           [dashboard](const httplib::Request& req, httplib::Response& res) {
             dashboard->Report(req, res, req.matches[1], true);
           });
}

}  // namespace fieldcrm::sync
