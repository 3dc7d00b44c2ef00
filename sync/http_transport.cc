// The one translation unit of the client that includes httplib.h.
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <regex>

#include "fieldcrm/base/error.h"
#include "fieldcrm/sync/net_policy.h"
#include "fieldcrm/sync/protocol.h"
#include "fieldcrm/sync/transport.h"

namespace fieldcrm::sync {

namespace {

constexpr const char* kJson = "application/json";

class HttpTransport : public Transport {
 public:
  HttpTransport(const std::string& origin, std::string base, const std::string& token,
                const std::string& ca_file, int read_timeout_s)
      : http_(origin), base_(std::move(base)), origin_(origin), ca_file_(ca_file) {
    // httplib verifies the certificate chain and host name by default; without a CA file it
    // trusts the system's store (/etc/ssl/certs).
    if (!ca_file.empty()) http_.set_ca_cert_path(ca_file);
    http_.set_bearer_token_auth(token);
    http_.set_default_headers(
        {{"Accept-Encoding", "gzip"},
         {"User-Agent", "fieldcrm/0.1 (sync protocol " + std::to_string(kProtocolVersion) + ")"}});
    http_.set_connection_timeout(10);
    http_.set_read_timeout(read_timeout_s);
    http_.set_write_timeout(120);
    http_.set_keep_alive(true);
    http_.set_tcp_nodelay(true);
  }

  HttpReply Get(const std::string& path) override {
    RefuseWhenCancelled();
    return Reply(http_.Get(base_ + path));
  }

  HttpReply Post(const std::string& path, const nlohmann::json& body) override {
    RefuseWhenCancelled();
    std::string text = body.dump();
    HttpReply reply = Reply(http_.Post(base_ + path, text, kJson));
    reply.bytes_sent = static_cast<int64_t>(text.size());
    return reply;
  }

  void CompressRequests(bool on) override { http_.set_compress(on); }

  void Cancel() override {
    cancelled_ = true;
    http_.stop();  // shuts the socket of a request in flight (httplib makes this thread-safe)
  }

 private:
  void RefuseWhenCancelled() const {
    if (cancelled_) throw NetworkError("the connection to " + origin_ + " was closed");
  }

  HttpReply Reply(const httplib::Result& result) {
    if (!result && result.error() == httplib::Error::SSLServerVerification) {
      long code = http_.get_openssl_verify_result();
      std::string why = code == X509_V_OK ? "its name does not match the URL's host"
                                          : X509_verify_cert_error_string(code);
      throw InvalidInput(
          "the server at " + origin_ + " is not who it claims to be: its TLS " +
          "certificate did not verify against " +
          (ca_file_.empty() ? "this system's trusted CAs" : "--ca-file " + ca_file_) + " (" + why +
          "); if head office uses its own CA, pass --ca-file with " + "its certificate");
    }
    RefuseWhenCancelled();  // a cut request fails as cancelled, not as a network fault
    if (!result) {
      throw NetworkError("cannot reach the server at " + origin_ + " (" +
                         httplib::to_string(result.error()) +
                         "); nothing is lost: run sync again when the network is back");
    }
    HttpReply reply{result->status, nlohmann::json::parse(result->body, nullptr, false), {}};
    reply.bytes_received = static_cast<int64_t>(result->body.size());
    std::string time = result->get_header_value(kServerTimeHeader);
    if (!time.empty() && time.size() < 19 &&
        time.find_first_not_of("0123456789") == std::string::npos) {
      reply.server_time_ms = std::stoll(time);
    }
    return reply;
  }

  httplib::Client http_;
  std::string base_;
  std::string origin_;
  std::string ca_file_;
  std::atomic<bool> cancelled_ = false;
};

}  // namespace

std::unique_ptr<Transport> MakeHttpTransport(const std::string& url, const std::string& token,
                                             const std::string& ca_file, int read_timeout_s) {
  static const std::regex kUrl(
      R"(^((https?)://(\[[0-9A-Fa-f:.]+\]|[^/?#\s:\[\]]+)(:[0-9]+)?)(/[^?#\s]*)?$)");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) {
    throw InvalidInput("'" + url + "' is not a server URL like https://192.168.1.10:8443");
  }
  std::string host = match[3].str();
  if (match[2] == "http" && !IsLoopbackHost(host)) {
    throw InvalidInput("refusing plain http:// to " + host +
                       ": the token and customer data would cross the network unencrypted; use "
                       "the server's https:// URL");
  }
  if (!ca_file.empty() && access(ca_file.c_str(), R_OK) != 0) {
    throw InvalidInput("cannot read --ca-file '" + ca_file + "': " + std::strerror(errno));
  }
  std::string base = match[5].str();
  while (!base.empty() && base.back() == '/') base.pop_back();
  return std::make_unique<HttpTransport>(match[1].str(), base, token, ca_file, read_timeout_s);
}

}  // namespace fieldcrm::sync
