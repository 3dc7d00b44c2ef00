#include "fieldcrm/plugin_host/plugin_process.h"

#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <new>
#include <optional>

#include "fieldcrm/plugin_host/plugin_channel.h"
#include "fieldcrm/plugin_host/shared_grades.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

void LimitMemory(int64_t memory_mb) {
  rlim_t bytes = static_cast<rlim_t>(memory_mb) << 20;
  rlimit limit{bytes, bytes};
  setrlimit(RLIMIT_AS, &limit);
  // The plugin shares this process's C++ runtime: its failed allocations land here.
  std::set_new_handler([] { ::_exit(kPluginOutOfMemoryExit); });
}

// RLIMIT_CPU counts the whole process life: the soft limit is moved to "used so far + the per-call
// allowance" before each call, so the kernel stops (SIGXCPU) only a call that overruns it.
void LimitCpuOfNextCall(int64_t call_cpu_seconds) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto used = static_cast<rlim_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1);
  rlimit limit{};
  getrlimit(RLIMIT_CPU, &limit);
  limit.rlim_cur = std::min(limit.rlim_max, used + static_cast<rlim_t>(call_cpu_seconds));
  setrlimit(RLIMIT_CPU, &limit);
}

// An isolated plugin's reads during a call made with the store: each a "read" frame to the host,
// answered before the call goes on (IsolatedPlugin::Ask).
class ChannelReads final : public PluginReads {
 public:
  explicit ChannelReads(int fd) : fd_(fd) {}
  std::string Records(const std::string& kind, const std::string& field,
                      const std::string& value) override {
    return Ask({{"read", "records"}, {"kind", kind}, {"field", field}, {"value", value}});
  }
  std::string CustomerByPhone(const std::string& phone) override {
    return Ask({{"read", "customer"}, {"phone", phone}});
  }

 private:
  std::string Ask(const json& request) {
    SendFrame(fd_, request);
    json answer = ReadFrame(fd_, std::nullopt).header;
    if (!answer.contains("error")) return answer.at("ok");
    if (answer["error"] == "rejected") throw InvalidInput(answer.at("message"));
    throw PluginError(answer.at("message").get<std::string>());
  }
  int fd_;
};

// Runs one request on the plugin (its reads go over fd); returns the reply.
json Answer(InProcessPlugin& plugin, const SharedGrades& shared, int fd, const Frame& request) {
  const json& h = request.header;
  const std::string& op = h.at("op").get_ref<const std::string&>();
  if (op == "configure") {
    plugin.Configure(h.at("config"));
    return {{"ok", nullptr}};
  }
  if (op == "check_config") return {{"ok", plugin.CheckConfig(h.at("config"))}};
  if (op == "grade") {  // in place, in a slot of the host's shared memory
    size_t count = h.at("count");
    int slot = h.at("slot");
    if (count > SharedGrades::kCapacity || slot < 0 || slot >= SharedGrades::kSlots) {
      throw std::invalid_argument("a grade batch outside the shared memory");
    }
    std::vector<int32_t> open = DenseCounts(h.value("open_complaints", json::array()), count);
    plugin.Grade(shared.facts(slot), shared.grades(slot), count, h.at("as_of_ms"),
                 open.empty() ? nullptr : open.data());
    return {{"ok", nullptr}};
  }
  if (op == "explain") {
    fieldcrm_customer_facts facts{};
    if (request.payload.size() != sizeof facts) throw std::invalid_argument("facts of wrong size");
    std::memcpy(&facts, request.payload.data(), sizeof facts);
    return {{"ok", plugin.Explain(facts, h.at("as_of_ms"), h.value("open_complaints", 0))}};
  }
  if (op == "review" || op == "alerts") {
    DecodedView decoded{};
    DecodeView(request, decoded);
    if (op == "review") return {{"ok", EncodeRecords(plugin.Review(decoded.view))}};
    return {{"ok", EncodeAlerts(plugin.Alerts(decoded.view))}};
  }
  if (op == "call") {
    return {{"ok", plugin.Call(h.at("function").get_ref<const std::string&>(),
                               h.at("input").get_ref<const std::string&>())}};
  }
  if (op == "call_reading") {
    ChannelReads reads(fd);
    CallOutcome outcome = plugin.CallReading(h.at("function").get_ref<const std::string&>(),
                                             h.at("input").get_ref<const std::string&>(), reads);
    return {{"ok", {{"result", outcome.result}, {"records", EncodeRecords(outcome.proposed)}}}};
  }
  throw std::invalid_argument("unknown request '" + op + "'");
}

json Failure(const InProcessPlugin& plugin, const std::exception& e) {
  return {{"error", "failed"}, {"message", e.what()}, {"disabled", plugin.disabled_reason()}};
}

}  // namespace

int ServePlugin(int fd, const std::filesystem::path& file, const PluginLimits& limits) {
  std::optional<SharedGrades> shared;
  try {
    shared = SharedGrades::Map(kSharedGradesFd);
  } catch (const PluginError& e) {
    std::cerr << "fieldcrm-plugin-host: " << e.what() << '\n';
    return 1;
  }
  LimitMemory(limits.memory_mb);
  std::unique_ptr<InProcessPlugin> plugin;
  try {
    LimitCpuOfNextCall(limits.call_cpu_seconds);
    plugin = std::make_unique<InProcessPlugin>(file);
    SendFrame(fd, {{"manifest", plugin->manifest()},
                   {"has_review", plugin->HasReview()},
                   {"has_alerts", plugin->HasAlerts()}});
  } catch (const PluginRefused& e) {
    SendFrame(fd, {{"refused", e.what()}, {"plugin", e.plugin}});
    return 0;
  }
  for (;;) {
    Frame request;
    try {
      request = ReadFrame(fd, std::nullopt);
    } catch (const ChannelError& e) {
      if (e.failure == ChannelFailure::kClosed) return 0;  // the host is done with us
      std::cerr << "fieldcrm-plugin-host: " << e.what() << '\n';
      return 1;
    }
    json reply;
    LimitCpuOfNextCall(limits.call_cpu_seconds);
    try {
      reply = Answer(*plugin, *shared, fd, request);
    } catch (const InvalidInput& e) {
      reply = {{"error", "rejected"}, {"message", e.what()}};
    } catch (const std::exception& e) {
      reply = Failure(*plugin, e);
    }
    try {
      SendFrame(fd, reply);
    } catch (const ChannelError&) {
      return 0;
    }
  }
}

}  // namespace fieldcrm
