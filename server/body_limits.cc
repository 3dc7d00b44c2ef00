#include "fieldcrm/server/body_limits.h"

#include <httplib.h>

#include <algorithm>

namespace fieldcrm::sync {

BodyCollector::BodyCollector(const BodyLimits& limits, uint64_t wire_bytes)
    : limits_(limits),
      wire_bytes_(wire_bytes),
      limit_(std::min<uint64_t>(
          limits.max_bytes,
          std::max<uint64_t>(limits.ratio_floor, wire_bytes * limits.max_ratio))) {}

bool BodyCollector::Add(const char* data, size_t size) {
  seen_ += size;
  if (seen_ > limit_) {
    refused_ = true;
    std::string().swap(body_);  // give the memory back at once
    return false;
  }
  body_.append(data, size);
  return true;
}

ProtocolError BodyCollector::Refusal() const {
  if (limit_ == limits_.max_bytes) {
    return ProtocolError(413, "too_large",
                         "the request body is over this server's limit of " +
                             std::to_string(limits_.max_bytes) + " bytes: send smaller batches");
  }
  return ProtocolError(413, kInflatesTooFar,
                       "the request body inflates to over " + std::to_string(limit_) +
                           " bytes from " + std::to_string(wire_bytes_) +
                           " compressed bytes (more than " + std::to_string(limits_.max_ratio) +
                           " times): send it uncompressed");
}

std::string ReadBody(const httplib::Request& req, const httplib::ContentReader& reader,
                     const BodyLimits& limits) {
  uint64_t wire = req.get_header_value<uint64_t>("Content-Length");
  if (wire > limits.max_bytes) {
    throw ProtocolError(413, "too_large",
                        "the request body is " + std::to_string(wire) +
                            " bytes, over this server's limit of " +
                            std::to_string(limits.max_bytes) + ": send smaller batches");
  }
  BodyCollector body(limits, wire);
  bool complete = reader([&body](const char* data, size_t size) { return body.Add(data, size); });
  if (body.refused()) throw body.Refusal();
  if (!complete) {
    throw ProtocolError(400, "bad_request",
                        "the request body was cut short or is not valid gzip: send it again");
  }
  return body.Take();
}

std::optional<ProtocolError> UnreadBodyRefusal(const httplib::Request& req,
                                               std::initializer_list<const char*> body_paths) {
  bool has_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                  req.method == "DELETE" || req.method == "PRI" ||
                  req.has_header("Content-Length") || req.has_header("Transfer-Encoding");
  if (!has_body) return std::nullopt;
  if (req.method == "POST" &&
      std::find(body_paths.begin(), body_paths.end(), req.path) == body_paths.end()) {
    return ProtocolError(404, "not_found", "no endpoint POST " + req.path + " on this server");
  }
  if (req.method != "POST") {
    return ProtocolError(405, "method_not_allowed",
                         req.method + " with a body is not accepted on this server");
  }
  if (req.has_header("Transfer-Encoding") || !req.has_header("Content-Length")) {
    return ProtocolError(411, "length_required",
                         "send the request body with a Content-Length (no chunked encoding)");
  }
  std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "gzip" && encoding != "identity") {
    return ProtocolError(415, "unsupported_encoding",
                         "request bodies may be plain or gzip, not '" + encoding + "'");
  }
  return std::nullopt;
}

}  // namespace fieldcrm::sync
