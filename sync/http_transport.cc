// The one translation unit of the client that includes httplib.h.
#include <httplib.h>

#include <regex>

#include "core/error.h"
#include "sync/protocol.h"
#include "sync/transport.h"

namespace fieldcrm::sync {

namespace {

constexpr const char* kJson = "application/json";

class HttpTransport : public Transport {
 public:
  HttpTransport(const std::string& origin, std::string base, const std::string& token)
      : http_(origin), base_(std::move(base)), origin_(origin) {
    http_.set_bearer_token_auth(token);
    http_.set_default_headers(
        {{"Accept-Encoding", "gzip"},
         {"User-Agent", "fieldcrm/0.1 (sync protocol " + std::to_string(kProtocolVersion) + ")"}});
    http_.set_connection_timeout(10);
    http_.set_read_timeout(120);
    http_.set_write_timeout(120);
    http_.set_keep_alive(true);
    http_.set_tcp_nodelay(true);
  }

  HttpReply Get(const std::string& path) override { return Reply(http_.Get(base_ + path)); }

  HttpReply Post(const std::string& path, const nlohmann::json& body) override {
    return Reply(http_.Post(base_ + path, body.dump(), kJson));
  }

  void CompressRequests(bool on) override { http_.set_compress(on); }

 private:
  HttpReply Reply(const httplib::Result& result) {
    if (!result) {
      throw NetworkError("cannot reach the server at " + origin_ + " (" +
                         httplib::to_string(result.error()) +
                         "); nothing is lost: run sync again when the network is back");
    }
    return {result->status, nlohmann::json::parse(result->body, nullptr, false)};
  }

  httplib::Client http_;
  std::string base_;
  std::string origin_;
};

}  // namespace

std::unique_ptr<Transport> MakeHttpTransport(const std::string& url, const std::string& token) {
  static const std::regex kUrl(R"(^(https?://[^/?#\s]+)(/[^?#\s]*)?$)");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) {
    throw InvalidInput("'" + url + "' is not a server URL like http://192.168.1.10:8080");
  }
  std::string base = match[2].str();
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::make_unique<HttpTransport>(match[1].str(), base, token);
}

}  // namespace fieldcrm::sync
