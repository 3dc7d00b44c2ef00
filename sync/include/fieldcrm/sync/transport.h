// How the sync client talks to a server: JSON requests, JSON answers. HttpTransport is the real
// one; tests wrap it to lose answers on purpose.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {

// The server could not be reached or its answer did not arrive whole. Nothing is lost: the sync
// can simply run again.
class NetworkError : public Error {
 public:
  explicit NetworkError(const std::string& message) : Error("network", message) {}
};

struct HttpReply {
  int status = 0;
  nlohmann::json body;                    // discarded (is_discarded()) when the answer was not JSON
  std::optional<int64_t> server_time_ms;  // kServerTimeHeader, when the answer carried it
  int64_t bytes_sent = 0;                 // the request's body, before gzip
  int64_t bytes_received = 0;             // the answer's body, after gunzip
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpReply Get(const std::string& path) = 0;
  virtual HttpReply Post(const std::string& path, const nlohmann::json& body) = 0;
  // gzip request bodies from now on (answers are gzipped whenever the server can).
  virtual void CompressRequests(bool on) = 0;
  // Safe from another thread: cuts the request under way and fails every later one with a
  // NetworkError, so that a program shutting down does not wait out a long poll.
  virtual void Cancel() = 0;
};

// url: https://host[:port][/base], or http:// to a loopback host only; throws InvalidInput when
// it is not such a URL. The server's certificate must verify against ca_file when given, else
// against the system's trusted CAs; one that does not gives InvalidInput naming the reason. An
// answer that has not arrived read_timeout_s seconds after the request is a NetworkError.
std::unique_ptr<Transport> MakeHttpTransport(const std::string& url, const std::string& token,
                                             const std::string& ca_file = "",
                                             int read_timeout_s = 120);

}  // namespace fieldcrm::sync
