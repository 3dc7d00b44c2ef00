#include "fieldcrm/plugin_host/plugin_process.h"

#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <new>

#include "fieldcrm/plugin_host/plugin_channel.h"

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

template <typename T>
std::string_view Bytes(const std::vector<T>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)};
}

// Runs one request on the plugin (its reads go over fd); returns the reply header and fills
// payload.
json Answer(InProcessPlugin& plugin, int fd, const Frame& request, std::string& payload) {
  const json& h = request.header;
  const std::string& op = h.at("op").get_ref<const std::string&>();
  if (op == "configure") {
    plugin.Configure(h.at("config"));
    return {{"ok", nullptr}};
  }
  if (op == "check_config") return {{"ok", plugin.CheckConfig(h.at("config"))}};
  if (op == "grade") {
    size_t count = request.payload.size() / sizeof(fieldcrm_customer_facts);
    std::vector<fieldcrm_customer_facts> facts(count);
    std::memcpy(facts.data(), request.payload.data(), count * sizeof(fieldcrm_customer_facts));
    std::vector<fieldcrm_tier_grade> grades(count);
    plugin.Grade(facts.data(), grades.data(), count, h.at("as_of_ms"));
    payload.assign(Bytes(grades));
    return {{"ok", nullptr}};
  }
  if (op == "explain") {
    fieldcrm_customer_facts facts{};
    if (request.payload.size() != sizeof facts) throw std::invalid_argument("facts of wrong size");
    std::memcpy(&facts, request.payload.data(), sizeof facts);
    return {{"ok", plugin.Explain(facts, h.at("as_of_ms"))}};
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
    std::string payload;
    json reply;
    LimitCpuOfNextCall(limits.call_cpu_seconds);
    try {
      reply = Answer(*plugin, fd, request, payload);
    } catch (const InvalidInput& e) {
      reply = {{"error", "rejected"}, {"message", e.what()}};
    } catch (const std::exception& e) {
      reply = Failure(*plugin, e);
    }
    try {
      SendFrame(fd, reply, payload);
    } catch (const ChannelError&) {
      return 0;
    }
  }
}

}  // namespace fieldcrm
