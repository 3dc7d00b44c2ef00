#include "fieldcrm/sync/protocol.h"

#include <cstdint>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

ProtocolError BadRequest(const std::string& message) {
  return ProtocolError(400, "bad_request", message);
}

const json& Member(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw BadRequest(std::string("'") + name + "' is missing");
  return *it;
}

int64_t Count(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_number_unsigned() || v.get<uint64_t>() > INT64_MAX) {
    throw BadRequest(std::string("'") + name + "' must be a non-negative 64-bit integer");
  }
  return v.get<int64_t>();
}

std::string Text(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    throw BadRequest(std::string("'") + name + "' must be a non-empty string");
  }
  return v.get<std::string>();
}

const json& Array(const json& j, const char* name) {
  const json& v = Member(j, name);
  if (!v.is_array()) throw BadRequest(std::string("'") + name + "' must be an array");
  return v;
}

std::vector<Change> Changes(const json& j) {
  std::vector<Change> changes;
  const json& list = Array(j, "changes");
  changes.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    try {
      changes.push_back(ChangeFromJson(list[i]));
    } catch (const InvalidInput& e) {
      throw BadRequest("changes[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return changes;
}

json ChangesJson(const std::vector<Change>& changes) {
  json out = json::array();
  for (const Change& c : changes) out.push_back(ChangeToJson(c));
  return out;
}

}  // namespace

json ErrorBody(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

json ParseBody(const std::string& body) {
  json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded()) throw BadRequest("the request body is not valid JSON");
  if (!request.is_object()) throw BadRequest("the request body must be a JSON object");
  return request;
}

void CheckProtocol(const json& request) {
  auto it = request.find("protocol");
  if (it == request.end() || !it->is_number_integer()) {
    throw BadRequest("'protocol' (the sync protocol version, an integer) is missing");
  }
  int version = it->get<int>();
  if (version < kMinProtocolVersion) {
    throw ProtocolError(426, "upgrade_required",
                        "this client speaks sync protocol " + std::to_string(version) +
                            " but the server needs at least " +
                            std::to_string(kMinProtocolVersion) + ": upgrade fieldcrm");
  }
  if (version > kProtocolVersion) {
    throw BadRequest("sync protocol " + std::to_string(version) + " is newer than this server's (" +
                     std::to_string(kProtocolVersion) + "): upgrade fieldcrm-server");
  }
}

json ToJson(const PushRequest& request) {
  return {{"protocol", kProtocolVersion},
          {"device", request.device},
          {"changes", ChangesJson(request.changes)}};
}

PushRequest ParsePushRequest(const json& request) {
  CheckProtocol(request);
  PushRequest push{Text(request, "device"), Changes(request)};
  if (push.changes.empty()) throw BadRequest("'changes' is empty: nothing to push");
  if (static_cast<int64_t>(push.changes.size()) > kMaxPushChanges) {
    throw ProtocolError(413, "too_large",
                        "a push may carry at most " + std::to_string(kMaxPushChanges) +
                            " changes; send smaller batches");
  }
  for (const Change& c : push.changes) {
    if (c.device != push.device) {
      throw BadRequest("change " + c.device + "/" + std::to_string(c.seq) + " is not device " +
                       push.device + "'s own: push only your own changes");
    }
  }
  return push;
}

json ToJson(const PushAck& ack) {
  json refused = json::array();
  for (const Refusal& r : ack.refused) {
    refused.push_back(
        {{"seq", r.seq}, {"record", r.record}, {"field", r.field}, {"reason", r.reason}});
  }
  return {{"protocol", kProtocolVersion},
          {"last_seq", ack.last_seq},
          {"accepted", ack.accepted},
          {"duplicates", ack.duplicates},
          {"conflicts", ack.conflicts},
          {"merged", ack.merged},
          {"refused", refused}};
}

PushAck ParsePushAck(const json& response) {
  PushAck ack{Count(response, "last_seq"),   Count(response, "accepted"),
              Count(response, "duplicates"), Count(response, "conflicts"),
              Count(response, "merged"),     {}};
  for (const json& r : Array(response, "refused")) {
    ack.refused.push_back(
        {Count(r, "seq"), Text(r, "record"), Text(r, "field"), Text(r, "reason")});
  }
  return ack;
}

json ToJson(const PullRequest& request) {
  json out = {{"protocol", kProtocolVersion},
              {"device", request.device},
              {"after", request.after},
              {"limit", request.limit}};
  if (request.pending) out["pending"] = *request.pending;
  if (!request.app_version.empty()) out["app_version"] = request.app_version;
  return out;
}

PullRequest ParsePullRequest(const json& request) {
  CheckProtocol(request);
  PullRequest pull{Text(request, "device"), Count(request, "after"), Count(request, "limit"),
                   std::nullopt, ""};
  if (pull.limit == 0) throw BadRequest("'limit' must be positive");
  pull.limit = std::min(pull.limit, kMaxBatch);
  if (request.contains("pending")) pull.pending = Count(request, "pending");
  if (request.contains("app_version")) pull.app_version = Text(request, "app_version");
  return pull;
}

json ToJson(const PullPage& page) {
  return {{"protocol", kProtocolVersion},
          {"changes", ChangesJson(page.changes)},
          {"next", page.next},
          {"head", page.head},
          {"more", page.more}};
}

namespace {

void AppendChangesJson(std::string& out, const std::vector<Change>& changes) {
  out += '[';
  for (const Change& c : changes) {
    if (&c != changes.data()) out += ',';
    AppendChangeJson(out, c);
  }
  out += ']';
}

// The members every page ends with, after its others (dump() sorts members by name).
void AppendPageEnd(std::string& out, bool more, int64_t next) {
  out += std::string(",\"more\":") + (more ? "true" : "false") +
         ",\"next\":" + std::to_string(next) + ",\"protocol\":" + std::to_string(kProtocolVersion) +
         "}";
}

bool More(const json& page) {
  const json& more = Member(page, "more");
  if (!more.is_boolean()) throw BadRequest("'more' must be true or false");
  return more.get<bool>();
}

}  // namespace

std::string PushRequestBody(const PushRequest& request) {
  std::string out = "{\"changes\":";
  AppendChangesJson(out, request.changes);
  out += ",\"device\":";
  AppendJsonString(out, request.device);
  out += ",\"protocol\":" + std::to_string(kProtocolVersion) + "}";
  return out;
}

std::string PullPageBody(const PullPage& page) {
  std::string out = "{\"changes\":";
  AppendChangesJson(out, page.changes);
  out += ",\"head\":" + std::to_string(page.head);
  AppendPageEnd(out, page.more, page.next);
  return out;
}

PullPage ParsePullPage(const json& response) {
  return {Changes(response), Count(response, "next"), Count(response, "head"), More(response)};
}

json ToJson(const SnapshotRequest& request) {
  return {{"protocol", kProtocolVersion},
          {"device", request.device},
          {"at", request.at},
          {"after", request.after},
          {"limit", request.limit}};
}

SnapshotRequest ParseSnapshotRequest(const json& request) {
  CheckProtocol(request);
  SnapshotRequest snapshot{Text(request, "device"), Count(request, "at"), Count(request, "after"),
                           Count(request, "limit")};
  if (snapshot.limit == 0) throw BadRequest("'limit' must be positive");
  if (snapshot.at > 0 && snapshot.after > snapshot.at) {
    throw BadRequest("'after' must not be beyond the snapshot's position 'at'");
  }
  snapshot.limit = std::min(snapshot.limit, kMaxBatch);
  return snapshot;
}

namespace {

// One side of a conflict: its "SIDE_device", "SIDE_hlc" and "SIDE_value" members.
void AppendConflictSide(std::string& out, const std::string& side, const std::string& device,
                        Hlc hlc, const std::optional<std::string>& value) {
  out += ",\"" + side + "_device\":";
  AppendJsonString(out, device);
  out += ",\"" + side + "_hlc\":" + std::to_string(hlc) + ",\"" + side + "_value\":";
  out += value ? *value : "null";  // stored values are canonical JSON text already
}

KeptConflict ConflictFromJson(const json& j) {
  if (!j.is_object()) throw BadRequest("a conflict must be a JSON object");
  auto value = [&](const char* name) -> std::optional<std::string> {
    const json& v = Member(j, name);
    if (v.is_null()) return std::nullopt;
    return v.dump();
  };
  return {Text(j, "record"),        Text(j, "field"),     static_cast<Hlc>(Count(j, "loser_hlc")),
          Text(j, "loser_device"),  value("loser_value"), static_cast<Hlc>(Count(j, "winner_hlc")),
          Text(j, "winner_device"), value("winner_value")};
}

}  // namespace

std::string SnapshotPageBody(const SnapshotPage& page) {
  std::string out = "{\"at\":" + std::to_string(page.at) + ",\"changes\":";
  AppendChangesJson(out, page.changes);
  out += ",\"conflicts\":[";
  for (const KeptConflict& c : page.conflicts) {
    if (&c != page.conflicts.data()) out += ',';
    out += "{\"field\":";
    AppendJsonString(out, c.field);
    AppendConflictSide(out, "loser", c.loser_device, c.loser_hlc, c.loser_value);
    out += ",\"record\":";
    AppendJsonString(out, c.record);
    AppendConflictSide(out, "winner", c.winner_device, c.winner_hlc, c.winner_value);
    out += '}';
  }
  out += ']';
  AppendPageEnd(out, page.more, page.next);
  return out;
}

SnapshotPage ParseSnapshotPage(const json& response) {
  SnapshotPage page{
      Count(response, "at"), Changes(response), {}, Count(response, "next"), More(response)};
  for (const json& conflict : Array(response, "conflicts")) {
    page.conflicts.push_back(ConflictFromJson(conflict));
  }
  return page;
}

WatchRequest ParseWatchRequest(const json& request) {
  CheckProtocol(request);
  WatchRequest watch{Text(request, "device"), Count(request, "after"), kDefaultWatchMs};
  if (request.contains("wait_ms")) watch.wait_ms = std::min(Count(request, "wait_ms"), kMaxWatchMs);
  return watch;
}

std::string WatchPath(const WatchRequest& request) {
  // A device id is a UUID: nothing in it needs escaping in a query string.
  return std::string(kWatchPath) + "?protocol=" + std::to_string(kProtocolVersion) +
         "&device=" + request.device + "&after=" + std::to_string(request.after) +
         "&wait_ms=" + std::to_string(request.wait_ms);
}

json ToJson(const WatchAnswer& answer) {
  return {{"protocol", kProtocolVersion}, {"changed", answer.changed}, {"head", answer.head}};
}

WatchAnswer ParseWatchAnswer(const json& response) {
  const json& changed = Member(response, "changed");
  if (!changed.is_boolean()) throw BadRequest("'changed' must be true or false");
  return {changed.get<bool>(), Count(response, "head")};
}

}  // namespace fieldcrm::sync
