#include "sync/server.h"

#include <httplib.h>

#include <mutex>

#include "core/error.h"
#include "core/hlc.h"
#include "sync/dashboard.h"
#include "sync/token.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

constexpr const char* kJson = "application/json";

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

std::string BearerToken(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header.starts_with(kBearer)) return {};
  return header.substr(kBearer.size());
}

// The query string of GET /v1/sync/pull as the JSON body POST would carry.
json QueryAsJson(const httplib::Request& req) {
  json out = json::object();
  for (const auto& [key, value] : req.params) {
    bool number = !value.empty() && value.size() < 19 &&
                  value.find_first_not_of("0123456789") == std::string::npos;
    out[key] = number ? json(static_cast<uint64_t>(std::stoull(value))) : json(value);
  }
  return out;
}

std::string ErrorCodeFor(int status) {
  switch (status) {
    case 404:
      return "not_found";
    case 413:
      return "too_large";
    case 415:
      return "unsupported_encoding";
    default:
      return status < 500 ? "bad_request" : "internal";
  }
}

}  // namespace

struct SyncServer::Impl {
  ServerStorage& storage;
  ServerOptions options;
  httplib::Server http;
  std::mutex log_mutex;

  Impl(ServerStorage& s, ServerOptions o) : storage(s), options(o) {}

  Principal Authenticate(const httplib::Request& req) {
    std::string token = BearerToken(req);
    if (token.empty()) {
      throw ProtocolError(401, "unauthorized",
                          "missing token: send 'Authorization: Bearer TOKEN' (fieldcrm sync "
                          "--token TOKEN)");
    }
    std::optional<TokenInfo> info = storage.FindToken(Sha256Hex(token));
    if (!info) throw ProtocolError(401, "unauthorized", "unknown token: ask head office for one");
    if (!info->revoked_at.empty()) {
      throw ProtocolError(
          401, "unauthorized",
          "this token was revoked at " + info->revoked_at + ": ask head office for a new one");
    }
    return {info->id, info->agent, info->team, info->role};
  }

  // Runs one authenticated JSON endpoint, turning every failure into a 4xx/5xx JSON error.
  template <typename Fn>
  void Handle(const httplib::Request& req, httplib::Response& res, Fn fn) {
    try {
      if (req.body.size() > options.max_body_bytes) {
        throw ProtocolError(413, "too_large",
                            "the request body is " + std::to_string(req.body.size()) +
                                " bytes, over this server's limit of " +
                                std::to_string(options.max_body_bytes) + ": send smaller batches");
      }
      Principal who = Authenticate(req);
      json request = req.method == "GET" ? QueryAsJson(req) : ParseBody(req.body);
      Reply(res, 200, fn(who, request));
    } catch (const ProtocolError& e) {
      Reply(res, e.status(), ErrorBody(e.code(), e.what()));
    } catch (const InvalidInput& e) {
      Reply(res, 400, ErrorBody("bad_request", e.what()));
    } catch (const std::exception& e) {
      Reply(res, 500, ErrorBody("internal", std::string("server error: ") + e.what()));
    }
  }

  json Health() {
    return {{"status", "ok"},
            {"protocol", kProtocolVersion},
            {"min_protocol", kMinProtocolVersion},
            {"server_id", storage.ServerId()},
            {"server_time", SystemMillis()},
            {"max_clock_ahead_ms", options.max_clock_ahead_ms},
            {"max_body_bytes", options.max_body_bytes},
            {"gzip", true}};
  }

  json Push(const Principal& who, const json& request) {
    PushRequest push = ParsePushRequest(request);
    int64_t now = SystemMillis();
    if (auto ahead = FirstStampedAhead(push.changes, now, options.max_clock_ahead_ms)) {
      throw ProtocolError(422, "clock_ahead", StampedAheadMessage(*ahead, now));
    }
    return ToJson(storage.Push(who, push));
  }

  json Pull(const Principal& who, const json& request) {
    return ToJson(storage.Pull(who, ParsePullRequest(request)));
  }

  void LogLine(const httplib::Request& req, const httplib::Response& res) {
    if (!options.log) return;
    std::string token = BearerToken(req);
    std::string who = token.empty() ? "-" : Sha256Hex(token).substr(0, 12);
    std::lock_guard lock(log_mutex);
    *options.log << HlcToIso(HlcFromMillis(SystemMillis())) << ' ' << req.remote_addr << ' '
                 << req.method << ' ' << req.path << ' ' << res.status << " token=" << who
                 << " in=" << req.body.size() << "B out=" << res.body.size() << "B" << std::endl;
  }

  void Route() {
    http.set_payload_max_length(options.max_body_bytes);
    http.set_keep_alive_timeout(2);
    http.set_tcp_nodelay(true);  // headers and body go out at once: no 40 ms Nagle stall
    http.Get(kHealthPath, [this](const httplib::Request&, httplib::Response& res) {
      Reply(res, 200, Health());
    });
    http.Post(kPushPath, [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res, [this](const Principal& who, const json& r) { return Push(who, r); });
    });
    auto pull = [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res, [this](const Principal& who, const json& r) { return Pull(who, r); });
    };
    http.Get(kPullPath, pull);
    http.Post(kPullPath, pull);
    RegisterDashboard(http, storage);
    // Errors httplib raises itself (unknown path, body over the limit) get a JSON body too.
    http.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          std::string message = "HTTP " + std::to_string(res.status);
          if (res.status == 404) {
            message = "no endpoint " + req.method + " " + req.path +
                      " on this server (it speaks protocol " + std::to_string(kProtocolVersion) +
                      " under /v1): check the URL, or upgrade the server for a newer client";
          } else if (res.status == 413) {
            message = "the request body is over this server's limit: send smaller batches";
          }
          Reply(res, res.status, ErrorBody(ErrorCodeFor(res.status), message));
          return httplib::Server::HandlerResponse::Handled;
        }));
    http.set_logger(
        [this](const httplib::Request& req, const httplib::Response& res) { LogLine(req, res); });
  }
};

SyncServer::SyncServer(ServerStorage& storage, ServerOptions options)
    : impl_(std::make_unique<Impl>(storage, options)) {
  impl_->Route();
}

SyncServer::~SyncServer() = default;

int SyncServer::Bind(const std::string& host, int port) {
  int bound = port == 0 ? impl_->http.bind_to_any_port(host.c_str())
                        : (impl_->http.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    throw InvalidInput("cannot listen on " + host + ":" + std::to_string(port) +
                       " (address in use or not available)");
  }
  return bound;
}

void SyncServer::Serve() {
  impl_->http.listen_after_bind();
}

void SyncServer::Stop() {
  impl_->http.stop();
}

}  // namespace fieldcrm::sync
