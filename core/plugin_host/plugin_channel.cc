#include "fieldcrm/plugin_host/plugin_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace fieldcrm {

using nlohmann::json;

namespace {

// Far above any real header or batch; a larger size means the stream is corrupt.
constexpr uint32_t kMaxFrameBytes = 256u << 20;

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      throw ChannelError(ChannelFailure::kClosed,
                         std::string("the other end is gone: ") + std::strerror(errno));
    }
    data += sent;
    size -= static_cast<size_t>(sent);
  }
}

void ReadAll(int fd, char* data, size_t size,
             std::optional<std::chrono::steady_clock::time_point> deadline) {
  while (size > 0) {
    int wait_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw ChannelError(ChannelFailure::kTimedOut, "no answer in time");
      wait_ms = static_cast<int>(left.count()) + 1;
    }
    pollfd readable{fd, POLLIN, 0};
    int ready = ::poll(&readable, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above decides
    ssize_t got = ::recv(fd, data, size, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) throw ChannelError(ChannelFailure::kClosed, "the other end closed the channel");
    data += got;
    size -= static_cast<size_t>(got);
  }
}

template <typename T>
std::string_view Bytes(const T& value) {
  return {reinterpret_cast<const char*>(&value), sizeof value};
}

}  // namespace

void SendFrame(int fd, const json& header, std::string_view payload) {
  std::vector<std::uint8_t> cbor = json::to_cbor(header);
  uint32_t sizes[2] = {static_cast<uint32_t>(cbor.size()), static_cast<uint32_t>(payload.size())};
  std::string head(reinterpret_cast<const char*>(sizes), sizeof sizes);
  head.append(reinterpret_cast<const char*>(cbor.data()), cbor.size());
  WriteAll(fd, head.data(), head.size());
  WriteAll(fd, payload.data(), payload.size());
}

Frame ReadFrame(int fd, std::optional<std::chrono::steady_clock::time_point> deadline) {
  uint32_t sizes[2];
  ReadAll(fd, reinterpret_cast<char*>(sizes), sizeof sizes, deadline);
  if (sizes[0] > kMaxFrameBytes || sizes[1] > kMaxFrameBytes) {
    throw ChannelError(ChannelFailure::kMalformed, "a frame of impossible size");
  }
  std::string cbor(sizes[0], '\0');
  ReadAll(fd, cbor.data(), cbor.size(), deadline);
  Frame frame;
  frame.payload.resize(sizes[1]);
  ReadAll(fd, frame.payload.data(), frame.payload.size(), deadline);
  frame.header = json::from_cbor(cbor, true, false);
  if (frame.header.is_discarded()) {
    throw ChannelError(ChannelFailure::kMalformed, "a frame whose header is not CBOR");
  }
  return frame;
}

Frame EncodeView(const fieldcrm_customer_view& view) {
  auto text = [](fieldcrm_str s) { return std::string(s.data, s.size); };
  Frame frame{{{"id", text(view.id)},
               {"customer", text(view.customer)},
               {"interactions", text(view.interactions)},
               {"deals", text(view.deals)},
               {"referrals_made", text(view.referrals_made)},
               {"referred_by", text(view.referred_by)},
               {"survey_responses", text(view.survey_responses)},
               {"complaints", text(view.complaints)},
               {"repairs", text(view.repairs)},
               {"now_ms", view.now_ms}},
              {}};
  frame.payload.append(Bytes(*view.facts));
  frame.payload.append(Bytes(view.grade));
  return frame;
}

void DecodeView(const Frame& frame, DecodedView& out) {
  if (frame.payload.size() != sizeof out.facts + sizeof out.view.grade) {
    throw ChannelError(ChannelFailure::kMalformed, "a customer view of the wrong size");
  }
  auto str = [&](const char* key) {
    const auto& text = frame.header.at(key).get_ref<const std::string&>();
    return fieldcrm_str{text.data(), text.size()};
  };
  std::memcpy(&out.facts, frame.payload.data(), sizeof out.facts);
  out.view = {sizeof(fieldcrm_customer_view),
              str("id"),
              str("customer"),
              str("interactions"),
              str("deals"),
              str("referrals_made"),
              str("referred_by"),
              str("survey_responses"),
              &out.facts,
              {},
              frame.header.at("now_ms").get<int64_t>(),
              str("complaints"),
              str("repairs")};
  std::memcpy(&out.view.grade, frame.payload.data() + sizeof out.facts, sizeof out.view.grade);
}

json EncodeRecords(const std::vector<ProposedRecord>& records) {
  json out = json::array();
  for (const ProposedRecord& r : records) out.push_back({r.kind, r.id, r.fields});
  return out;
}

std::vector<ProposedRecord> DecodeRecords(const json& records) {
  std::vector<ProposedRecord> out;
  for (const json& r : records) out.push_back({r.at(0), r.at(1), r.at(2)});
  return out;
}

json EncodeAlerts(const std::vector<PluginAlert>& alerts) {
  json out = json::array();
  for (const PluginAlert& a : alerts) out.push_back({a.rule, a.due_ms, a.message});
  return out;
}

std::vector<PluginAlert> DecodeAlerts(const json& alerts) {
  std::vector<PluginAlert> out;
  for (const json& a : alerts) out.push_back({a.at(0), a.at(1), a.at(2)});
  return out;
}

json SparseCounts(const int32_t* counts, size_t start, size_t count) {
  json sparse = json::array();
  if (counts == nullptr) return sparse;
  for (size_t i = 0; i < count; ++i) {
    if (counts[start + i] != 0) sparse.push_back({i, counts[start + i]});
  }
  return sparse;
}

std::vector<int32_t> DenseCounts(const json& sparse, size_t count) {
  if (!sparse.is_array()) throw std::invalid_argument("open complaints are not a list");
  std::vector<int32_t> dense;
  if (sparse.empty()) return dense;
  dense.resize(count);
  for (const json& entry : sparse) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number_unsigned() ||
        entry[0].get<size_t>() >= count || !entry[1].is_number_integer()) {
      throw std::invalid_argument("an open complaints entry outside the batch");
    }
    dense[entry[0].get<size_t>()] = entry[1].get<int32_t>();
  }
  return dense;
}

}  // namespace fieldcrm
