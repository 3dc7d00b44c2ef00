// Sync request bodies as any device (or anyone holding a token) might send them, and server
// answers as a broken or hostile server might send them: every body is refused with a
// ProtocolError (a 4xx the server sends back) or parsed; what parses survives a round trip
// through the wire format unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "fieldcrm/sync/protocol.h"

namespace {

using fieldcrm::sync::ProtocolError;

// Parses `request` with parse, then checks that its wire form parses to the same wire form.
template <typename Parse>
void RoundTrips(const nlohmann::json& request, Parse parse) {
  nlohmann::json wire;
  try {
    wire = fieldcrm::sync::ToJson(parse(request));
  } catch (const ProtocolError& e) {
    if (e.status() < 400 || e.status() >= 500) abort();  // bad input is the client's fault
    return;
  }
  if (fieldcrm::sync::ToJson(parse(fieldcrm::sync::ParseBody(wire.dump()))) != wire) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json body;
  try {
    body = fieldcrm::sync::ParseBody(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const ProtocolError& e) {
    if (e.status() != 400) abort();
    return 0;
  }
  RoundTrips(body, fieldcrm::sync::ParsePushRequest);
  RoundTrips(body, fieldcrm::sync::ParsePullRequest);
  RoundTrips(body, fieldcrm::sync::ParsePushAck);
  RoundTrips(body, fieldcrm::sync::ParsePullPage);
  return 0;
}
