// Request bodies as they arrive gzip-compressed, through the server's own path: httplib's
// streaming inflate, piece by piece into the server's BodyCollector (the limits that stop gzip
// bombs), then the sync request parsers. Every input is refused (too large, not gzip, not a
// request: a 4xx) or parsed, and the collector never holds more than its limit.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fieldcrm/server/body_limits.h"
#include "fieldcrm/sync/protocol.h"

namespace {

using fieldcrm::sync::ProtocolError;

// Small limits so that inputs of a few kilobytes reach them.
constexpr fieldcrm::sync::BodyLimits kLimits{
    .max_bytes = 256 << 10, .max_ratio = 16, .ratio_floor = 4 << 10};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fieldcrm::sync::BodyCollector body(kLimits, size);
  httplib::detail::gzip_decompressor inflater;
  if (!inflater.is_valid()) abort();
  uint64_t inflated = 0;
  // Pieces of at most 4 KiB, as httplib reads them from the socket.
  bool complete = true;
  for (size_t at = 0; at < size && complete; at += 4096) {
    complete =
        inflater.decompress(reinterpret_cast<const char*>(data) + at,
                            std::min<size_t>(4096, size - at), [&](const char* piece, size_t n) {
                              inflated += n;
                              return body.Add(piece, n);
                            });
  }
  uint64_t limit =
      std::min<uint64_t>(kLimits.max_bytes, std::max<uint64_t>(kLimits.ratio_floor, size * 16));
  if (body.refused()) {
    if (inflated <= limit || body.Refusal().status() != 413) abort();
    return 0;
  }
  if (inflated > limit) abort();  // accepted more than its limit
  if (!complete) return 0;        // not gzip, or cut short: a 400
  std::string text = body.Take();
  if (text.size() != inflated) abort();
  try {
    nlohmann::json request = fieldcrm::sync::ParseBody(text);
    fieldcrm::sync::ParsePushRequest(request);
    fieldcrm::sync::ParsePullRequest(request);
  } catch (const ProtocolError& e) {
    if (e.status() < 400 || e.status() >= 500) abort();
  }
  return 0;
}
