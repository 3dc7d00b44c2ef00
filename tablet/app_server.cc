#include "fieldcrm/tablet/app_server.h"

#include <httplib.h>

#include <filesystem>

#include "app_state.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/sync/protocol.h"
#include "fieldcrm/sync/transport.h"
#include "fieldcrm/tablet/app_assets.h"
#include "fieldcrm/tablet/request_guard.h"

namespace fieldcrm::tablet {

using nlohmann::json;

namespace {

std::string_view Asset(std::string_view name) {
  return sync::FindAsset(AppAssets(), name);
}

// The single page's screens: each is served the same page, which draws the screen.
constexpr const char* kScreens[] = {"/",          "/today", "/find",     "/customer",
                                    "/conflicts", "/setup", "/register", "/sync"};

constexpr size_t kKeptLines = 100;

json ErrorJson(const std::string& code, const std::string& message) {
  return {{"error", code}, {"message", message}};
}

}  // namespace

void SyncProgressLog::Begin() {
  std::lock_guard lock(mutex_);
  running_ = true;
  lines_.clear();
}

void SyncProgressLog::Add(const sync::SyncProgress& progress) {
  std::lock_guard lock(mutex_);
  if (progress.state == "running") lines_.push_back(progress.Line());
  // Live updates add lines between the button's syncs: keep the latest only.
  if (lines_.size() > kKeptLines) lines_.erase(lines_.begin());
  latest_ = progress;
}

void SyncProgressLog::End() {
  std::lock_guard lock(mutex_);
  running_ = false;
}

json SyncProgressLog::Json() const {
  std::lock_guard lock(mutex_);
  // running: the button's sync, or a live update's sync under way.
  bool live_sync = latest_ && latest_->state == "running";
  return {{"running", running_ || live_sync},
          {"lines", lines_},
          {"progress", latest_ ? latest_->ToJson() : json()}};
}

AppState::AppState(SessionOptions o, std::chrono::milliseconds board_period)
    : options(o), board(o, board_period) {}

json Body(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) throw InvalidInput("the request body must be a JSON object");
  return body;
}

std::string Text(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return "";
  if (it->is_number()) return it->dump();
  if (!it->is_string()) throw InvalidInput(std::string("'") + key + "' must be text");
  return it->get<std::string>();
}

void Route(httplib::Server& http, AppState& state, const std::string& method,
           const std::string& pattern, bool needs_store, ApiHandler handler) {
  auto serve = [&state, needs_store, handler](const httplib::Request& req, httplib::Response& res) {
    Reply reply;
    try {
      std::lock_guard lock(state.mutex);
      if (needs_store && !state.session) {
        reply = {409, ErrorJson("not_set_up", "set the tablet up first (设置 Set-up)")};
      } else {
        reply = handler(req, state);
      }
    } catch (const InvalidInput& e) {
      reply = {400, ErrorJson("bad_request", e.what())};
    } catch (const NotFound& e) {
      reply = {404, ErrorJson("not_found", e.what())};
    } catch (const PluginError& e) {
      reply = {503, ErrorJson("plugin_unavailable", e.what())};
    } catch (const sync::NetworkError& e) {
      reply = {502, ErrorJson("offline", e.what())};
    } catch (const sync::ProtocolError& e) {
      reply = {502, ErrorJson(e.code(), e.what())};
    } catch (const std::exception& e) {
      reply = {500, ErrorJson("internal", e.what())};
    }
    res.status = reply.status;
    res.set_content(reply.body.dump(), "application/json");
  };
  if (method == "GET") {
    http.Get(pattern, serve);
  } else {
    http.Post(pattern, serve);
  }
}

struct AppServer::Impl {
  explicit Impl(const AppOptions& options) : state(options.session, options.board_period) {
    state.live_on = options.live;
  }
  httplib::Server http;
  AppState state;
  std::optional<RequestGuard> guard;  // once the port is known

  void ServeAsset(const char* pattern, std::string_view asset, const char* type) {
    http.Get(pattern, [asset, type](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(Asset(asset)), type);
    });
  }

  void Register() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      RequestGuard::AddSecurityHeaders(res);
      if (auto refusal = guard->Check(req)) {
        res.status = refusal->status;
        res.set_content(ErrorJson("refused", refusal->message).dump(), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (guard->IsLogin(req)) {  // the secret leaves the address bar for a cookie
        guard->SetCookie(res);
        res.set_redirect("/", 303);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    for (const char* screen : kScreens) {
      ServeAsset(screen, "index.html", "text/html; charset=utf-8");
    }
    ServeAsset("/assets/app.js", "app.js", "text/javascript; charset=utf-8");
    ServeAsset("/assets/app.css", "app.css", "text/css; charset=utf-8");
    RegisterCustomerApi(http, state);
    RegisterSyncApi(http, state);
  }
};

AppServer::AppServer(AppOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>(options_)) {
  CheckLoopback(options_.host);
  if (options_.secret.empty()) options_.secret = NewSecret();
}

AppServer::~AppServer() {
  Stop();
}

void AppServer::Bind() {
  std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
  if (options_.port == 0) {
    port_ = impl_->http.bind_to_any_port(host);
  } else if (impl_->http.bind_to_port(host, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0) {
    throw InvalidInput("cannot listen on " + host + ":" + std::to_string(options_.port) +
                       " (in use?)");
  }
  impl_->guard.emplace(port_, options_.secret);
  AppState& state = impl_->state;
  if (std::filesystem::exists(state.options.db_path)) {
    state.session = std::make_unique<Session>(state.options);
    state.session->plugins();  // opened now: a store that is not one fails at start, not later
    state.board.Start();
  }
  impl_->Register();
  if (state.live_on) state.live.Start();
}

std::string AppServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/?key=" + options_.secret;
}

void AppServer::Run() {
  impl_->http.listen_after_bind();
}

void AppServer::Stop() {
  if (impl_->http.is_running()) impl_->http.stop();
  impl_->state.live.Stop();
  impl_->state.board.Stop();
}

}  // namespace fieldcrm::tablet
