// A plugin run in a supervised plugin-host process of its own (plugin_process.h): the way
// browsers and editors host extensions. Every hook is a request over a socket pair answered
// within the call time limit; the process limits its own memory and the CPU time of each call.
// Grade batches cross through shared memory (shared_grades.h). When the process crashes (a signal),
// exits, runs out of memory or does not answer in time, it is stopped (SIGKILL), the plugin is
// disabled with the reason (also written to stderr: the server's log) and the call throws
// PluginError naming the plugin. Nothing it proposed in that call is kept. Other plugins have
// processes of their own and carry on.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "fieldcrm/plugin_host/plugin_channel.h"
#include "fieldcrm/plugin_host/plugin_library.h"
#include "fieldcrm/plugin_host/plugin_process.h"
#include "fieldcrm/plugin_host/shared_grades.h"

namespace fieldcrm {

class IsolatedPlugin final : public LoadedPlugin {
 public:
  // Starts host_program (fieldcrm-plugin-host) on file. Throws PluginRefused like
  // InProcessPlugin, also when the process cannot start or dies while loading the plugin.
  IsolatedPlugin(const std::filesystem::path& file, const std::filesystem::path& host_program,
                 const PluginLimits& limits);
  // Closes the channel (the process destroys the plugin and exits); stops it if it lingers.
  ~IsolatedPlugin() override;

  bool isolated() const override { return true; }
  bool HasReview() const override { return has_review_; }
  bool HasAlerts() const override { return has_alerts_; }
  void Configure(const std::string& config_json) override;
  bool CheckConfig(const std::string& config_json) override;
  void Grade(const fieldcrm_customer_facts* facts, fieldcrm_tier_grade* grades, size_t count,
             int64_t as_of_ms, const int32_t* open_complaints) override;
  std::string Explain(const fieldcrm_customer_facts& facts, int64_t as_of_ms,
                      int32_t open_complaints) override;
  std::vector<ProposedRecord> Review(const fieldcrm_customer_view& customer) override;
  std::vector<PluginAlert> Alerts(const fieldcrm_customer_view& customer) override;
  std::string Call(std::string_view function, std::string_view input_json) override;
  // The process's reads arrive as "read" frames during the call; Ask answers them from reads.
  CallOutcome CallReading(std::string_view function, std::string_view input_json,
                          PluginReads& reads) override;

 private:
  void Start(const std::filesystem::path& host_program);
  // Sends one request and returns the "ok" part of the answer, or throws what the plugin-host
  // process reported or what became of it. Reads the process asks for meanwhile are answered
  // from reads (refused without it), all within the call's time.
  nlohmann::json Ask(std::string_view what, const nlohmann::json& request,
                     std::string_view payload = {}, PluginReads* reads = nullptr);
  // Ask in two halves, for a caller that works while the process answers.
  void Send(std::string_view what, const nlohmann::json& request, std::string_view payload = {});
  nlohmann::json Await(std::string_view what, PluginReads* reads = nullptr);
  // Disables the plugin for a channel failure during `what` and throws the PluginError.
  [[noreturn]] void ChannelFailed(std::string_view what, const ChannelError& failure);
  // What a channel failure means: waits for (or stops) the process and says how it ended.
  std::string Postmortem(const ChannelError& error);
  // Closes the channel and reaps the process, stopping it after grace_ms.
  void Stop(int grace_ms);

  PluginLimits limits_;
  SharedGrades shared_;  // grade batches cross here; the process maps it at kSharedGradesFd
  pid_t pid_ = -1;
  int fd_ = -1;
  bool has_review_ = false, has_alerts_ = false;
};

}  // namespace fieldcrm
