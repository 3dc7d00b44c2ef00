// Request bodies under limits while they are read. httplib inflates a gzip body piece by piece
// as it arrives; each piece is counted here and the body is refused as soon as it passes a limit,
// so a few megabytes of gzip cannot make the server hold gigabytes (a "gzip bomb"). Bodies are
// read only by the routes that need one, after the token was checked: a request without a valid
// token costs no inflating and no parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fieldcrm/sync/protocol.h"

namespace httplib {
struct Request;
class ContentReader;
}  // namespace httplib

namespace fieldcrm::sync {

struct BodyLimits {
  size_t max_bytes = 8 << 20;  // the body as the handler sees it (inflated), and on the wire
  // Inflated bytes per byte on the wire, once past ratio_floor: sync JSON inflates about 5-15
  // times, a bomb up to 1,000 times. Honest text can too (a note of one repeated character), so
  // the refusal has its own code (kInflatesTooFar) and the client then sends that body plain.
  size_t max_ratio = 64;
  size_t ratio_floor = 1 << 20;
};

// Collects one body of wire_bytes bytes on the wire. Add refuses (false) once the body passes
// max_bytes or, beyond ratio_floor, max_ratio times wire_bytes; nothing more is kept then.
class BodyCollector {
 public:
  BodyCollector(const BodyLimits& limits, uint64_t wire_bytes);
  bool Add(const char* data, size_t size);
  bool refused() const { return refused_; }
  // The 413 that says which limit the body passed.
  ProtocolError Refusal() const;
  std::string Take() { return std::move(body_); }

 private:
  BodyLimits limits_;
  uint64_t wire_bytes_;
  uint64_t limit_;
  uint64_t seen_ = 0;
  bool refused_ = false;
  std::string body_;
};

// Reads req's body through reader within limits. Throws ProtocolError: 413 when it passes a
// limit (declared or while inflating), 400 when it is cut short or is not valid gzip.
std::string ReadBody(const httplib::Request& req, const httplib::ContentReader& reader,
                     const BodyLimits& limits);

// Why a request must be answered before any of its body is read (nullopt: let it through).
// Bodies are read only on body_paths, with a Content-Length (no chunked or open-ended bodies,
// whose size nobody declares), and plain or gzip (the encoding our tablets send).
std::optional<ProtocolError> UnreadBodyRefusal(const httplib::Request& req,
                                               std::initializer_list<const char*> body_paths);

}  // namespace fieldcrm::sync
