#include "fieldcrm/server/server.h"

#include <httplib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/body_limits.h"
#include "fieldcrm/server/client_address.h"
#include "fieldcrm/server/connection_limits.h"
#include "fieldcrm/server/dashboard.h"
#include "fieldcrm/server/http_errors.h"
#include "fieldcrm/server/log_watch.h"
#include "fieldcrm/server/metrics.h"
#include "fieldcrm/server/request_hygiene.h"
#include "fieldcrm/server/store_file_watch.h"
#include "fieldcrm/server/token.h"
#include "fieldcrm/sync/net_policy.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

constexpr const char* kJson = "application/json";

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // An error message may quote the caller's bytes, which need not be valid UTF-8.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
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

// HTTPS when the options name a certificate and key, else plain HTTP; with connection limits.
// clients: its trusted proxies' connections each carry many clients, so no per-address cap.
std::unique_ptr<httplib::Server> MakeHttpServer(const ServerOptions& options,
                                                const ClientAddresses& clients) {
  if (options.cert_file.empty() != options.key_file.empty()) {
    throw InvalidInput("HTTPS needs both a certificate (--cert FILE) and its key (--key FILE)");
  }
  for (const std::string& file : {options.cert_file, options.key_file}) {
    if (!file.empty() && access(file.c_str(), R_OK) != 0) {
      throw InvalidInput("cannot read '" + file + "': " + std::strerror(errno));
    }
  }
  ConnectionLimits limits = options.connections;
  limits.unlimited_addresses.insert(limits.unlimited_addresses.end(), clients.trusted().begin(),
                                    clients.trusted().end());
  auto server = MakeLimitedServer(limits, options.cert_file, options.key_file);
  if (!server->is_valid()) {
    throw InvalidInput("cannot use certificate '" + options.cert_file + "' with key '" +
                       options.key_file +
                       "': both must be PEM files and the key must belong to the certificate");
  }
  return server;
}

// When the request this thread serves had its headers read; nullopt between requests.
thread_local std::optional<std::chrono::steady_clock::time_point> request_started;

}  // namespace

struct SyncServer::Impl {
  ServerStorage& storage;
  ServerOptions options;
  ClientAddresses clients;
  std::unique_ptr<httplib::Server> server;
  httplib::Server& http;
  std::unique_ptr<AuthFailureLimiter> auth_failures;
  StoreFileWatch store_file;
  LogWatch log_watch;
  // Other processes' pushes wake this one's watchers too (declared after log_watch: ends first).
  std::unique_ptr<ServerStorage::Subscription> other_writers;
  ServerMetrics metrics;
  std::mutex log_mutex;
  // httplib's stop() does nothing before listening has begun, and a SIGTERM can come right
  // after Bind: a Stop before Serve is remembered, one during it waits until it listens.
  std::mutex serve_mutex;
  bool stop_requested = false;
  bool serve_started = false;
  bool serve_done = false;

  Impl(ServerStorage& s, ServerOptions o)
      : storage(s),
        options(std::move(o)),
        clients(options.trusted_proxies),
        server(MakeHttpServer(options, clients)),
        http(*server),
        auth_failures(
            storage.FailureLimiter(options.auth_failure_limit, options.auth_failure_window_ms)),
        store_file(options.store_file),
        log_watch(options.max_watchers),
        other_writers(storage.FollowOtherWriters([this] { log_watch.Moved(); })) {}
  // (RegisterDashboard shares auth_failures: /login and the reports count failures too.)

  std::string Client(const httplib::Request& req) const {
    return clients.Of(req.remote_addr, req.get_header_value("X-Forwarded-For"));
  }

  // The token's principal. A request without a valid token counts as a failure of its address;
  // an address over the limit gets 429 (with Retry-After) instead of the reason.
  Principal Authenticate(const httplib::Request& req, httplib::Response& res) {
    std::string token = BearerToken(req);
    std::optional<TokenInfo> info;
    if (!token.empty()) info = storage.FindToken(Sha256Hex(token));
    if (info && info->revoked_at.empty()) return {info->id, info->agent, info->team, info->role};
    if (info && info->wipe) {
      throw ProtocolError(410, "wiped",
                          "head office revoked this tablet's token at " + info->revoked_at +
                              " and ordered its data wiped");
    }
    const std::string client = Client(req);
    if (int64_t retry = auth_failures->RetryAfterSeconds(client); retry > 0) {
      res.set_header("Retry-After", std::to_string(retry));
      throw ProtocolError(429, "rate_limited",
                          "too many failed authentications from " + client + ": try again in " +
                              std::to_string(retry) + " s with a valid token");
    }
    auth_failures->NoteFailure(client);
    if (token.empty()) {
      throw ProtocolError(401, "unauthorized",
                          "missing token: send 'Authorization: Bearer TOKEN' (fieldcrm sync "
                          "--token TOKEN)");
    }
    if (!info) throw ProtocolError(401, "unauthorized", "unknown token: ask head office for one");
    throw ProtocolError(
        401, "unauthorized",
        "this token was revoked at " + info->revoked_at + ": ask head office for a new one");
  }

  // Runs one authenticated JSON endpoint, turning every failure into a 4xx/5xx JSON error. The
  // token is checked before the body (reader: POST; none: GET's query) is read or inflated.
  template <typename Fn>
  void Handle(const httplib::Request& req, httplib::Response& res,
              const httplib::ContentReader* reader, Fn fn) {
    bool body_unread = reader != nullptr;
    try {
      Principal who = Authenticate(req, res);
      json request = QueryAsJson(req);
      if (reader) {
        std::string body = ReadBody(req, *reader, {.max_bytes = options.max_body_bytes});
        body_unread = false;
        request = ParseBody(body);
      }
      auto answer = fn(who, request);
      if constexpr (std::is_same_v<decltype(answer), std::string>) {
        res.status = 200;
        res.set_content(std::move(answer), kJson);
      } else {
        Reply(res, 200, answer);
      }
    } catch (const std::exception& e) {
      HttpErrorReply error = HttpErrorOf(e, req.method, req.path, *options.error_log);
      Reply(res, error.status, error.body);
    }
    // What is left of a refused body would otherwise be read as the next request.
    if (body_unread) res.set_header("Connection", "close");
  }

  json Health() {
    return {{"status", "ok"},
            {"protocol", kProtocolVersion},
            {"min_protocol", kMinProtocolVersion},
            {"server_id", storage.ServerId()},
            {"server_time", storage.env().NowMillis()},
            {"max_clock_ahead_ms", options.max_clock_ahead_ms},
            {"max_body_bytes", options.max_body_bytes},
            {"gzip", true}};
  }

  json Push(const Principal& who, const json& request) {
    if (auto vanished = store_file.Vanished()) {
      throw ProtocolError(503, "store_missing",
                          *vanished +
                              ": nothing was accepted; head office must restore it and "
                              "restart the server (the tablet keeps its changes)");
    }
    PushRequest push = ParsePushRequest(request);
    int64_t now = storage.env().NowMillis();
    if (auto ahead = FirstStampedAhead(push.changes, now, options.max_clock_ahead_ms)) {
      throw ProtocolError(422, "clock_ahead", StampedAheadMessage(*ahead, now));
    }
    PushAck ack = storage.Push(who, push);
    if (ack.accepted > 0) log_watch.Moved();
    metrics.Pushed(who.team, ack.accepted, static_cast<int64_t>(ack.refused.size()));
    return ToJson(ack);
  }

  // GET /v1/sync/watch: answers as soon as a pull would return something, or after wait_ms with
  // "changed": false. Looks again at every push; between pushes it wakes a few times a second
  // only to notice a client that hung up, whose wait ends there (499, like a pull).
  json Watch(const Principal& who, const json& request) {
    WatchRequest watch = ParseWatchRequest(request);
    std::optional<LogWatch::Ticket> ticket = log_watch.Enter();
    if (!ticket) {
      throw ProtocolError(503, "busy",
                          std::to_string(options.max_watchers) +
                              " tablets are watching already: sync periodically instead");
    }
    constexpr int64_t kClientCheckMs = 250;
    int64_t deadline = SteadyMillis() + watch.wait_ms;
    for (;;) {
      uint64_t seen = log_watch.Generation();
      WatchAnswer look = storage.LookForChanges(who, watch, ClientGone);
      if (look.changed || log_watch.stopped()) return ToJson(look);
      watch.after = std::max(watch.after, look.head);  // everything up to head was looked at
      for (bool moved = false; !moved;) {
        int64_t left = deadline - SteadyMillis();
        if (left <= 0) return ToJson(look);
        moved = log_watch.WaitForMove(seen, std::min(left, kClientCheckMs));
        if (log_watch.stopped()) return ToJson(look);
        if (!moved && ClientGone()) throw Cancelled("watch abandoned by its client");
      }
    }
  }

  // Head office's current plugin releases: what each tablet verifies and installs.
  json Plugins() {
    json releases = json::array();
    for (const StoredRelease& r : storage.CurrentReleases()) {
      releases.push_back({{"name", r.plugin.name},
                          {"version", r.plugin.version},
                          {"release", r.release},
                          {"size", r.plugin.size},
                          {"signature", r.signature}});
    }
    return {{"plugins", releases}};
  }

  json PluginLibrary(const json& request) {
    auto release = request.find("release");
    if (release == request.end() || !release->is_number_unsigned()) {
      throw InvalidInput("give the release number: " + std::string(kPluginLibraryPath) +
                         "?release=N (from " + kPluginsPath + ")");
    }
    return {{"release", *release},
            {"library", Base64Encode(storage.ReleaseLibrary(release->get<int64_t>()))}};
  }

  std::string Pull(const Principal& who, const json& request) {
    PullPage page = storage.Pull(who, ParsePullRequest(request), ClientGone);
    metrics.Pulled(who.team, static_cast<int64_t>(page.changes.size()));
    return PullPageBody(page);
  }

  std::string Snapshot(const Principal& who, const json& request) {
    SnapshotPage page = storage.Snapshot(who, ParseSnapshotRequest(request), ClientGone);
    metrics.Pulled(who.team, static_cast<int64_t>(page.changes.size()));
    return SnapshotPageBody(page);
  }

  // GET /metrics: Prometheus' text format, for head office's monitoring (an office token).
  void Metrics(const httplib::Request& req, httplib::Response& res) {
    try {
      Principal who = Authenticate(req, res);
      if (who.role != Role::kOffice) {
        throw ProtocolError(403, "forbidden", "metrics need an office token");
      }
      res.status = 200;
      res.set_content(metrics.Render(storage.ReadGauges(), storage.env().NowMillis()),
                      "text/plain; version=0.0.4; charset=utf-8");
    } catch (const std::exception& e) {
      HttpErrorReply error = HttpErrorOf(e, req.method, req.path, *options.error_log);
      Reply(res, error.status, error.body);
    }
  }

  void LogLine(const httplib::Request& req, const httplib::Response& res) {
    if (!options.log) return;
    std::string token = BearerToken(req);
    std::string who = token.empty() ? "-" : Sha256Hex(token).substr(0, 12);
    std::lock_guard lock(log_mutex);
    *options.log << storage.env().NowIso() << ' ' << Client(req) << ' ' << req.method << ' '
                 << req.path << ' ' << res.status << " token=" << who << " in=" << req.body.size()
                 << "B out=" << res.body.size() << "B" << std::endl;
  }

  void Route() {
    http.set_payload_max_length(options.max_body_bytes);
    http.set_keep_alive_timeout(2);
    http.set_tcp_nodelay(true);  // headers and body go out at once: no 40 ms Nagle stall
    http.Get(kHealthPath, [this](const httplib::Request&, httplib::Response& res) {
      Reply(res, 200, Health());
    });
    // Bodies are refused before a byte of them is read wherever no route reads them.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      HeadersRead();
      request_started = std::chrono::steady_clock::now();
      metrics.RequestStarted();
      std::optional<ProtocolError> refusal = RequestHygieneRefusal(req);
      if (!refusal)
        refusal =
            UnreadBodyRefusal(req, {kPushPath, kPullPath, kSnapshotPath, kLoginPath, kLogoutPath});
      if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
      Reply(res, refusal->status(), ErrorBody(refusal->code(), refusal->what()));
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    });
    auto push = [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) {
      Handle(req, res, &reader,
             [this](const Principal& who, const json& r) { return Push(who, r); });
    };
    auto pull = [this](const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader* reader) {
      Handle(req, res, reader,
             [this](const Principal& who, const json& r) { return Pull(who, r); });
    };
    http.Post(kPushPath, push);
    http.Post(kSnapshotPath, [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
      Handle(req, res, &reader,
             [this](const Principal& who, const json& r) { return Snapshot(who, r); });
    });
    http.Get(kMetricsPath,
             [this](const httplib::Request& req, httplib::Response& res) { Metrics(req, res); });
    http.Get(kWatchPath, [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res, nullptr,
             [this](const Principal& who, const json& r) { return Watch(who, r); });
    });
    http.Get(kPluginsPath, [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res, nullptr, [this](const Principal&, const json&) { return Plugins(); });
    });
    http.Get(kPluginLibraryPath, [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res, nullptr,
             [this](const Principal&, const json& r) { return PluginLibrary(r); });
    });
    http.Get(kPullPath, [pull](const httplib::Request& req, httplib::Response& res) {
      pull(req, res, nullptr);
    });
    http.Post(kPullPath, [pull](const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader& reader) { pull(req, res, &reader); });
    RegisterDashboard(http, storage,
                      {.https = !options.cert_file.empty(),
                       .error_log = options.error_log,
                       .auth_failures = auth_failures.get(),
                       .clients = &clients});
    // A handler's exception that escaped it: answered like any other, never with httplib's
    // default (a header carrying the exception's text).
    http.set_exception_handler(
        [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr thrown) {
          HttpErrorReply error;
          try {
            std::rethrow_exception(thrown);
          } catch (const std::exception& e) {
            error = HttpErrorOf(e, req.method, req.path, *options.error_log);
          } catch (...) {
            error = HttpErrorOf(std::runtime_error("an exception of unknown type"), req.method,
                                req.path, *options.error_log);
          }
          Reply(res, error.status, error.body);
        });
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
    // Every answer, refusals and errors included (httplib calls this as it writes any answer).
    http.set_post_routing_handler([this, https = !options.cert_file.empty()](
                                      const httplib::Request&, httplib::Response& res) {
      AddSecurityHeaders(res, https);
      res.set_header(kServerTimeHeader, std::to_string(storage.env().NowMillis()));
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      AnswerSent();
      std::optional<double> seconds;
      if (request_started) {
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - *request_started)
                      .count();
        request_started.reset();
      }
      metrics.RequestAnswered(req.path, res.status, seconds);
      LogLine(req, res);
    });
  }
};

SyncServer::SyncServer(ServerStorage& storage, ServerOptions options)
    : impl_(std::make_unique<Impl>(storage, options)) {
  impl_->Route();
}

SyncServer::~SyncServer() = default;

int SyncServer::Bind(const std::string& host, int port) {
  if (Scheme() == "http") {
    if (!impl_->options.allow_plain_http) {
      throw InvalidInput(
          "refusing to serve plain HTTP: give --cert FILE --key FILE to serve HTTPS "
          "(docs/security.md), or --insecure-http for a local test on a loopback address");
    }
    if (!IsLoopbackHost(host)) {
      throw InvalidInput("refusing to serve plain HTTP on " + host +
                         ": tokens and customer data would cross the network unencrypted; serve "
                         "HTTPS with --cert FILE --key FILE, or listen on 127.0.0.1");
    }
  }
  int bound = port == 0 ? impl_->http.bind_to_any_port(host.c_str())
                        : (impl_->http.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    throw InvalidInput("cannot listen on " + host + ":" + std::to_string(port) +
                       " (address in use or not available)");
  }
  WidenListenBacklog(impl_->http);
  return bound;
}

std::string SyncServer::Scheme() const {
  return impl_->options.cert_file.empty() ? "http" : "https";
}

void SyncServer::Serve() {
  std::thread stopper;  // for a Stop that came first: ends the listening as soon as it begins
  {
    std::lock_guard lock(impl_->serve_mutex);
    impl_->serve_started = true;
    if (impl_->stop_requested) stopper = std::thread([this] { Stop(); });
  }
  impl_->http.listen_after_bind();
  {
    std::lock_guard lock(impl_->serve_mutex);
    impl_->serve_done = true;
  }
  if (stopper.joinable()) stopper.join();
}

void SyncServer::Stop() {
  impl_->log_watch.Stop();  // watches in flight answer now instead of holding the stop up
  for (;;) {
    {
      std::lock_guard lock(impl_->serve_mutex);
      impl_->stop_requested = true;
      if (!impl_->serve_started || impl_->serve_done) return;
      if (impl_->http.is_running()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->http.stop();
}

}  // namespace fieldcrm::sync
