// The wire between the host and a plugin-host process (isolated_plugin.h, plugin_process.h): a
// stream socket carrying frames of [u32 header size][u32 payload size][CBOR header][payload].
// Headers are small JSON values; bulk data (customer facts, grades) travels as the payload in the
// plain layout of plugin_abi.h, which both ends share because they are built together.
// Also the encoding of the values hooks exchange (customer views, proposed records, alerts).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fieldcrm/plugin_host/plugin_library.h"

namespace fieldcrm {

struct Frame {
  nlohmann::json header;
  std::string payload;
};

// Why a frame could not be read or sent.
enum class ChannelFailure { kClosed, kTimedOut, kMalformed };

class ChannelError : public std::runtime_error {
 public:
  ChannelError(ChannelFailure what_failed, const std::string& message)
      : std::runtime_error(message), failure(what_failed) {}
  ChannelFailure failure;
};

// Sends one frame whole (never raises SIGPIPE); throws ChannelError kClosed when the other end is
// gone.
void SendFrame(int fd, const nlohmann::json& header, std::string_view payload = {});
// Reads one frame; waits at most until deadline (none: forever). Throws ChannelError.
Frame ReadFrame(int fd, std::optional<std::chrono::steady_clock::time_point> deadline);

// A customer view as a header (its texts and as-of time) plus a payload (its facts and grade).
Frame EncodeView(const fieldcrm_customer_view& view);
// A view decoded in place: view points into facts and into the frame, which must outlive it.
struct DecodedView {
  fieldcrm_customer_facts facts;
  fieldcrm_customer_view view;
};
void DecodeView(const Frame& frame, DecodedView& out);

nlohmann::json EncodeRecords(const std::vector<ProposedRecord>& records);
std::vector<ProposedRecord> DecodeRecords(const nlohmann::json& records);
nlohmann::json EncodeAlerts(const std::vector<PluginAlert>& alerts);
std::vector<PluginAlert> DecodeAlerts(const nlohmann::json& alerts);
// The open complaints of a grade batch, counts[start, start + count) (null: none), as the
// [[index in the batch, count], ...] of those above 0: few customers have an open complaint, so
// a batch of 65536 sends a short list beside its shared-memory facts.
nlohmann::json SparseCounts(const int32_t* counts, size_t start, size_t count);
// Back to one count per customer of a batch of count; empty when none is open. Throws
// std::invalid_argument for an index outside the batch or a count that is no int32.
std::vector<int32_t> DenseCounts(const nlohmann::json& sparse, size_t count);

}  // namespace fieldcrm
