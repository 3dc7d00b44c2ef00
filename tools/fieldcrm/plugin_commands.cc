// plugins list | config | dir | run: what is loaded, its settings, where plugins come from.
#include <iostream>

#include "context.h"
#include "fieldcrm/application/plugins_folder.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/plugin_review.h"
#include "json_input.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

void List(Context& ctx) {
  PluginHost& host = ctx.Plugins();
  auto states = host.States();
  if (ctx.json) {
    json out = json::array();
    for (const PluginState& s : states) {
      out.push_back({{"file", s.file},
                     {"name", s.name},
                     {"state", s.state},
                     {"reason", s.reason},
                     {"role", s.role},
                     {"role_reason", s.role_reason},
                     {"isolated", s.isolated},
                     {"release", s.release},
                     {"manifest", s.manifest}});
    }
    return PrintJson({{"folder", host.dir().string()},
                      {"delivered", host.sources().delivered.string()},
                      {"plugins", out}});
  }
  std::cout << "plugins folder: " << host.dir().string() << '\n'
            << "from head office: " << host.sources().delivered.string() << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const PluginState& s : states) {
    const json& m = s.manifest;
    rows.push_back({s.name.empty() ? std::filesystem::path(s.file).filename().string() : s.name,
                    m.is_object() ? Show(m, "version") : "",
                    m.is_object() ? Show(m, "api_version") : "",
                    m.is_object() ? Show(m, "kind") : "",
                    s.release.is_object()
                        ? Show(s.release, "publisher") + " " + Show(s.release, "published_at")
                        : "(unsigned)",
                    s.state, s.role,
                    !s.reason.empty()     ? s.reason
                    : s.role == "standby" ? s.role_reason
                                          : Show(m, "description")});
    if (s.role == "standby") {
      std::cerr << "fieldcrm: warning: plugin '" << s.name << "' stands by: " << s.role_reason
                << '\n';
    }
  }
  PrintTable(
      {"NAME", "VERSION", "API", "KIND", "PUBLISHED BY", "STATE", "ROLE", "DESCRIPTION / REASON"},
      rows);
}

}  // namespace

void AddPluginCommands(CLI::App& app, Context& ctx) {
  auto* plugins = app.add_subcommand("plugins", "loadable business rules: list, configure, run");
  plugins->require_subcommand(1);
  plugins->add_subcommand("list", "each plugin's manifest and state (loaded / disabled / refused)")
      ->callback([&ctx] { List(ctx); });
  {
    auto* config = plugins->add_subcommand(
        "config", "show a plugin's effective config, or set it (validated, stored, synced)");
    struct Args {
      std::string name, json_text, file;
      bool reset = false;
    };
    auto args = std::make_shared<Args>();
    config->add_option("NAME", args->name, "plugin name")->required();
    config->add_option("JSON", args->json_text, "new settings, overlaid on the plugin's defaults");
    config->add_option("--file", args->file, "read the new settings from a JSON file");
    config->add_flag("--reset", args->reset, "go back to the plugin's defaults");
    config->callback([&ctx, args] {
      Store& store = ctx.Open();
      LoadedPlugin& plugin = ctx.Plugins().Get(args->name);
      int given = !args->json_text.empty() + !args->file.empty() + args->reset;
      if (given > 1) throw InvalidInput("give only one of JSON, --file and --reset");
      json effective = EffectivePluginConfig(store, plugin);
      if (given == 1) {
        json settings = args->reset          ? json::object()
                        : args->file.empty() ? ParseJsonText(args->json_text, "plugin config")
                                             : ReadJsonFile(args->file);
        effective = SetPluginConfig(store, plugin, settings);
      }
      std::cout << effective.dump(2) << '\n';
    });
  }
  {
    auto* dir = plugins->add_subcommand("dir", "show or set this store's plugins folder");
    auto path = std::make_shared<std::string>();
    dir->add_option("PATH", *path, "the folder to load plugins from (empty: the default)");
    dir->callback([&ctx, path, dir] {
      Store& store = ctx.Open();
      if (dir->count("PATH") > 0 || !path->empty()) {
        if (!path->empty() && !std::filesystem::is_directory(*path)) {
          throw InvalidInput("'" + *path + "' is not a folder: give the folder the plugin .so " +
                             "files are in (create it first)");
        }
        std::string absolute = path->empty() ? "" : std::filesystem::absolute(*path).string();
        store.SetMeta(kPluginsDirMeta, absolute);
      }
      std::cout << PluginsFolder(ctx.plugins_dir, &store).string() << '\n';
    });
  }
  {
    auto* run = plugins->add_subcommand(
        "run", "let the plugins review every customer now (e.g. after a sync): grants rewards");
    run->callback([&ctx] {
      ReviewResult result = ctx.session().ReviewAll();
      for (const std::string& failure : result.failures)
        std::cerr << "fieldcrm: " << failure << '\n';
      if (ctx.json) {
        PrintJson({{"created", result.created}, {"failures", result.failures}});
      } else {
        std::cout << result.created << (result.created == 1 ? " record" : " records")
                  << " created by plugins\n";
      }
      if (!result.failures.empty()) throw PluginError("some plugins failed (see above)");
    });
  }
}

}  // namespace fieldcrm::cli
