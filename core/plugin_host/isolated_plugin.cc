#include "fieldcrm/plugin_host/isolated_plugin.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

namespace fieldcrm {

using nlohmann::json;

namespace {

std::chrono::steady_clock::time_point DeadlineAfter(int64_t ms) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
}

std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  const char* text = sigdescr_np(signal);
  return std::string("SIG") + (abbrev ? abbrev : std::to_string(signal)) +
         (text ? std::string(", ") + text : "");
}

// The answer to a plugin-host process's "read" frame (plugin_process.cc asks it).
json AnswerRead(const json& request, PluginReads* reads) {
  if (reads == nullptr) return {{"error", "failed"}, {"message", "no store in this call"}};
  try {
    if (request.at("read") == "records") {
      return {{"ok", reads->Records(request.at("kind"), request.at("field"), request.at("value"))}};
    }
    return {{"ok", reads->CustomerByPhone(request.at("phone"))}};
  } catch (const InvalidInput& e) {
    return {{"error", "rejected"}, {"message", e.what()}};
  } catch (const std::exception& e) {
    return {{"error", "failed"}, {"message", e.what()}};
  }
}

}  // namespace

IsolatedPlugin::IsolatedPlugin(const std::filesystem::path& file,
                               const std::filesystem::path& host_program,
                               const PluginLimits& limits)
    : LoadedPlugin(file), limits_(limits), shared_(SharedGrades::Create()) {
  Start(host_program);
  json hello;
  try {
    hello = ReadFrame(fd_, DeadlineAfter(limits_.call_timeout_ms)).header;
  } catch (const ChannelError& e) {
    std::string why = Postmortem(e);
    throw PluginRefused(
        "", Describe() + " refused: its plugin-host process " + why + " while loading it");
  }
  if (hello.contains("refused")) {
    Stop(1000);
    throw PluginRefused(hello.value("plugin", ""), hello["refused"].get<std::string>());
  }
  json manifest = hello.at("manifest");
  std::string api_version = manifest.at("api_version");
  SetManifest(std::move(manifest), api_version);
  has_review_ = hello.at("has_review");
  has_alerts_ = hello.at("has_alerts");
}

IsolatedPlugin::~IsolatedPlugin() {
  Stop(1000);
}

void IsolatedPlugin::Start(const std::filesystem::path& host_program) {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    throw PluginRefused("", Describe() + " refused: no socket for its plugin-host process (" +
                                std::strerror(errno) + ")");
  }
  // Everything the child needs is prepared before fork: after it, only exec-safe calls.
  std::vector<std::string> args = {host_program.string(), "3", std::to_string(limits_.memory_mb),
                                   std::to_string(limits_.call_cpu_seconds), file_.string()};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(ends[0]);
    ::close(ends[1]);
    throw PluginRefused("", Describe() + " refused: cannot start its plugin-host process (" +
                                std::strerror(errno) + ")");
  }
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the host
    if (::getppid() != parent) ::_exit(127);
    // The channel becomes fd 3 and the shared memory fd 4, whatever numbers they had.
    int channel = ::fcntl(ends[1], F_DUPFD_CLOEXEC, 10);
    int shared = ::fcntl(shared_.fd(), F_DUPFD_CLOEXEC, 10);
    if (channel < 0 || shared < 0) ::_exit(127);
    ::dup2(channel, 3);
    ::dup2(shared, kSharedGradesFd);
    ::dup2(2, 1);  // whatever a plugin prints goes to the host's log, never its output
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(ends[1]);
  fd_ = ends[0];
}

void IsolatedPlugin::Stop(int grace_ms) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (pid_ <= 0) return;
  auto deadline = DeadlineAfter(grace_ms);
  while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_ = -1;
}

std::string IsolatedPlugin::Postmortem(const ChannelError& error) {
  if (error.failure == ChannelFailure::kTimedOut) {
    Stop(0);
    return "did not answer within " + std::to_string(limits_.call_timeout_ms) +
           " ms and was stopped";
  }
  if (error.failure == ChannelFailure::kMalformed) {
    Stop(0);
    return "sent a malformed answer (" + std::string(error.what()) + ") and was stopped";
  }
  // The process closed its end: it is exiting. Give it a moment, then stop it regardless.
  int status = 0;
  pid_t reaped = 0;
  auto deadline = DeadlineAfter(1000);
  while ((reaped = ::waitpid(pid_, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (reaped != pid_) {
    Stop(0);
    return "closed its channel and was stopped";
  }
  pid_ = -1;
  Stop(0);
  if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    if (signal == SIGXCPU) {
      return "used more than " + std::to_string(limits_.call_cpu_seconds) +
             " s of CPU in one call and was stopped";
    }
    return "crashed (" + SignalName(signal) + ")";
  }
  int code = WEXITSTATUS(status);
  if (code == kPluginOutOfMemoryExit) {
    return "exceeded its memory limit of " + std::to_string(limits_.memory_mb) + " MiB";
  }
  if (code == 127) return "could not run (exit code 127: is fieldcrm-plugin-host installed?)";
  return "exited unexpectedly (exit code " + std::to_string(code) + ")";
}

json IsolatedPlugin::Ask(std::string_view what, const json& request, std::string_view payload,
                         PluginReads* reads) {
  Send(what, request, payload);
  return Await(what, reads);
}

void IsolatedPlugin::Send(std::string_view what, const json& request, std::string_view payload) {
  if (!usable()) throw PluginError(Describe() + " is disabled: " + disabled_reason());
  try {
    SendFrame(fd_, request, payload);
  } catch (const ChannelError& e) {
    ChannelFailed(what, e);
  }
}

void IsolatedPlugin::ChannelFailed(std::string_view what, const ChannelError& failure) {
  PluginError error =
      Disable(std::string(what) + ": its plugin-host process " + Postmortem(failure));
  std::cerr << "fieldcrm: " << error.what() << '\n';  // the server's log
  throw error;
}

json IsolatedPlugin::Await(std::string_view what, PluginReads* reads) {
  Frame reply;
  try {
    auto deadline = DeadlineAfter(limits_.call_timeout_ms);
    for (reply = ReadFrame(fd_, deadline); reply.header.contains("read");
         reply = ReadFrame(fd_, deadline)) {
      SendFrame(fd_, AnswerRead(reply.header, reads));
    }
  } catch (const ChannelError& e) {
    ChannelFailed(what, e);
  }
  if (reply.header.contains("error")) {
    const std::string& message = reply.header["message"].get_ref<const std::string&>();
    if (reply.header["error"] == "rejected") throw InvalidInput(message);
    std::string disabled = reply.header.value("disabled", "");
    if (!disabled.empty()) {
      Stop(1000);  // a disabled plugin never runs again: free its process
      throw Disable(disabled);
    }
    throw PluginError(message);
  }
  return std::move(reply.header["ok"]);
}

void IsolatedPlugin::Configure(const std::string& config_json) {
  Ask("its config", {{"op", "configure"}, {"config", config_json}});
}

bool IsolatedPlugin::CheckConfig(const std::string& config_json) {
  return Ask("its config", {{"op", "check_config"}, {"config", config_json}}).get<bool>();
}

void IsolatedPlugin::Grade(const fieldcrm_customer_facts* facts, fieldcrm_tier_grade* grades,
                           size_t count, int64_t as_of_ms, const int32_t* open_complaints) {
  constexpr std::string_view kWhat = "grading customers";
  // Every slot holds a request in flight: when the process finishes one slot it finds the next
  // one's request already waiting, so it never idles while this side wakes up, copies the grades
  // out and fills the slot again.
  size_t first[SharedGrades::kSlots] = {}, size[SharedGrades::kSlots] = {};
  size_t filled = 0;
  int in_flight = 0;
  auto submit = [&](int slot) {
    first[slot] = filled;
    size[slot] = std::min(count - filled, SharedGrades::kCapacity);
    std::memcpy(shared_.facts(slot), facts + filled, size[slot] * sizeof *facts);
    filled += size[slot];
    Send(kWhat, {{"op", "grade"},
                 {"slot", slot},
                 {"count", size[slot]},
                 {"as_of_ms", as_of_ms},
                 {"open_complaints", SparseCounts(open_complaints, first[slot], size[slot])}});
    ++in_flight;
  };
  for (int slot = 0; slot < SharedGrades::kSlots && filled < count; ++slot) submit(slot);
  // Answers come in the order of the requests, so slot by slot.
  for (int slot = 0; in_flight > 0; slot = (slot + 1) % SharedGrades::kSlots) {
    try {
      --in_flight;
      Await(kWhat);
    } catch (const Error&) {
      // A refused batch leaves the others' answers on the channel: read them, so that the next
      // call reads its own answer.
      for (; in_flight > 0 && usable(); --in_flight) {
        try {
          Await(kWhat);
        } catch (const Error&) {
        }
      }
      throw;
    }
    std::memcpy(grades + first[slot], shared_.grades(slot), size[slot] * sizeof *grades);
    if (filled < count) submit(slot);
  }
}

std::string IsolatedPlugin::Explain(const fieldcrm_customer_facts& facts, int64_t as_of_ms,
                                    int32_t open_complaints) {
  return Ask("explaining a grade",
             {{"op", "explain"}, {"as_of_ms", as_of_ms}, {"open_complaints", open_complaints}},
             {reinterpret_cast<const char*>(&facts), sizeof facts})
      .get<std::string>();
}

std::vector<ProposedRecord> IsolatedPlugin::Review(const fieldcrm_customer_view& customer) {
  if (!has_review_) return {};
  Frame request = EncodeView(customer);
  request.header["op"] = "review";
  return DecodeRecords(Ask("reviewing customers", request.header, request.payload));
}

std::vector<PluginAlert> IsolatedPlugin::Alerts(const fieldcrm_customer_view& customer) {
  if (!has_alerts_) return {};
  Frame request = EncodeView(customer);
  request.header["op"] = "alerts";
  return DecodeAlerts(Ask("listing alerts", request.header, request.payload));
}

std::string IsolatedPlugin::Call(std::string_view function, std::string_view input_json) {
  return Ask(function, {{"op", "call"}, {"function", function}, {"input", input_json}})
      .get<std::string>();
}

CallOutcome IsolatedPlugin::CallReading(std::string_view function, std::string_view input_json,
                                        PluginReads& reads) {
  json answer =
      Ask(function, {{"op", "call_reading"}, {"function", function}, {"input", input_json}}, {},
          &reads);
  return {answer.at("result"), DecodeRecords(answer.at("records"))};
}

}  // namespace fieldcrm
