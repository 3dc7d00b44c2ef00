// One plugin library loaded from disk. Nothing in the library runs before its entry point has
// proved the API version; every later call goes through Invoke, which turns a plugin's
// exceptions into host errors and disables a plugin that misbehaves. The plugin object is
// destroyed by its own library before the library is unloaded.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin.h"

namespace fieldcrm {

// Why a file was not loaded; plugin is its manifest name when it got that far.
class PluginRefused : public PluginError {
 public:
  PluginRefused(std::string plugin_name, const std::string& message)
      : PluginError(message), plugin(std::move(plugin_name)) {}
  std::string plugin;
};

class LoadedPlugin {
 public:
  // Throws PluginRefused naming the file (and the plugin, once known) and the reason when the file
  // is not a shared library, lacks the entry point, was built for another API version, has a
  // malformed manifest, or throws while being created.
  explicit LoadedPlugin(const std::filesystem::path& file);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const std::string& name() const { return name_; }
  const std::string& kind() const { return kind_; }
  // The manifest as the plugin declared it, plus api_version and file.
  const nlohmann::json& manifest() const { return manifest_; }
  bool usable() const { return disabled_reason_.empty(); }
  const std::string& disabled_reason() const { return disabled_reason_; }
  bool MayWrite(std::string_view kind) const;

  // Runs fn(plugin). std::invalid_argument from the plugin means it rejected the input: that
  // becomes InvalidInput and the plugin stays usable. Any other exception disables the plugin and
  // becomes PluginError. Calling a disabled plugin throws PluginError with the original reason.
  template <typename Fn>
  auto Invoke(std::string_view what, Fn&& fn) -> decltype(fn(std::declval<sdk::Plugin&>())) {
    if (!usable()) throw PluginError(Describe() + " is disabled: " + disabled_reason_);
    try {
      return fn(*instance_);
    } catch (const std::invalid_argument& e) {
      throw InvalidInput("plugin '" + name_ + "' rejected " + std::string(what) + ": " + e.what());
    } catch (const std::exception& e) {
      throw Disable(std::string(what) + " threw: " + e.what());
    } catch (...) {
      throw Disable(std::string(what) + " threw a non-standard exception");
    }
  }

  // Marks the plugin unusable for the rest of this process; returns the error to report.
  PluginError Disable(const std::string& reason);

 private:
  std::string Describe() const;
  void ReadManifest(const char* text);

  std::filesystem::path file_;
  boost::dll::shared_library library_;
  const sdk::PluginEntry* entry_ = nullptr;
  sdk::Plugin* instance_ = nullptr;
  std::string name_, kind_;
  nlohmann::json manifest_;
  std::string disabled_reason_;
};

}  // namespace fieldcrm
