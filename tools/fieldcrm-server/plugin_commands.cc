// keys init | show, plugins publish | list | rollback: head office's signed plugins.
#include <cstdlib>
#include <iostream>

#include "fieldcrm/base/error.h"
#include "fieldcrm/server/plugin_publishing.h"
#include "server_cli.h"

namespace fieldcrm::sync {

using nlohmann::json;

namespace {

json Row(const StoredRelease& r) {
  return {{"release", r.release},
          {"name", r.plugin.name},
          {"version", r.plugin.version},
          {"kind", r.plugin.kind},
          {"sha256", r.plugin.sha256},
          {"size", r.plugin.size},
          {"publisher", r.plugin.publisher},
          {"published_at", r.plugin.published_at},
          {"config", r.plugin.config},
          {"current", r.current},
          {"current_since", r.current_since}};
}

void PrintRelease(const ServerContext& ctx, const StoredRelease& release, const char* what) {
  if (ctx.json) {
    std::cout << Row(release).dump(2) << '\n';
    return;
  }
  std::cout << what << " " << release.plugin.name << " " << release.plugin.version << " (release "
            << release.release << ", published by " << release.plugin.publisher << " at "
            << release.plugin.published_at << "): tablets install it at their next sync\n";
}

json ParseSettings(const std::string& text) {
  if (text.empty()) return nullptr;
  json settings = json::parse(text, nullptr, false);
  if (settings.is_discarded()) throw InvalidInput("--config is not JSON: " + text);
  return settings;
}

}  // namespace

void AddPluginCommands(CLI::App& app, ServerContext& ctx) {
  auto* keys = app.add_subcommand("keys", "head office's key for signing plugins");
  keys->require_subcommand(1);
  auto key_file = std::make_shared<std::string>();
  {
    auto* init = keys->add_subcommand("init", "create the signing key; prints the public key");
    init->add_option("--key-file", *key_file,
                     "where the secret key goes (default: the store's path + .signing-key)");
    init->callback([&ctx, key_file] {
      std::string file = key_file->empty() ? DefaultSigningKeyFile(ctx.db_path) : *key_file;
      std::string public_key = CreateSigningKey(ctx.Open(), file);
      std::cerr << "secret key written to " << file
                << " (mode 0600: keep it at head office, back it up offline). Give tablets the "
                   "public key below (fieldcrm sync --head-office-key KEY):\n";
      std::cout << public_key << '\n';
    });
  }
  keys->add_subcommand("show", "print the public key tablets pin")->callback([&ctx] {
    std::optional<std::string> key = ctx.Open().SigningPublicKey();
    if (!key) throw InvalidInput("no signing key yet: run `fieldcrm-server keys init`");
    std::cout << *key << '\n';
  });

  auto* plugins = app.add_subcommand("plugins", "publish signed plugins to every tablet");
  plugins->require_subcommand(1);
  {
    auto* publish = plugins->add_subcommand(
        "publish", "sign a plugin library and give it to every tablet at its next sync");
    auto request = std::make_shared<PublishRequest>();
    auto settings = std::make_shared<std::string>();
    publish->add_option("FILE", request->library_file, "the plugin's .so")->required();
    publish->add_option("--kind", request->kind, "refuse the file unless it is of this kind");
    publish->add_option("--config", *settings,
                        "JSON rules it is to run with everywhere, signed with it (overlaid on its "
                        "defaults; tablets cannot change them)");
    publish->add_option("--publisher", request->publisher,
                        "who publishes (shown on every tablet; default: $USER)");
    publish->add_option("--key-file", *key_file, "the secret key (default: as keys init)");
    publish->callback([&ctx, request, settings, key_file] {
      if (request->publisher.empty()) {
        const char* user = std::getenv("USER");
        request->publisher = user != nullptr && *user != '\0' ? user : "head office";
      }
      request->key_file = key_file->empty() ? DefaultSigningKeyFile(ctx.db_path) : *key_file;
      request->settings = ParseSettings(*settings);
      PrintRelease(ctx, PublishPlugin(ctx.Open(), *request), "published");
    });
  }
  {
    auto* rollback =
        plugins->add_subcommand("rollback", "give tablets an earlier published version again");
    auto name = std::make_shared<std::string>();
    auto version = std::make_shared<std::string>();
    rollback->add_option("NAME", *name, "the plugin's name")->required();
    rollback->add_option("--to", *version, "the version to go back to")->required();
    rollback->callback([&ctx, name, version] {
      PrintRelease(ctx, ctx.Open().RollBackPlugin(*name, *version), "rolled back to");
    });
  }
  plugins->add_subcommand("list", "every published release, newest first; * = current")
      ->callback([&ctx] {
        json rows = json::array();
        for (const StoredRelease& r : ctx.Open().ListReleases()) {
          json row = Row(r);
          row["current_mark"] = r.current ? "*" : "";
          row["config_text"] = r.plugin.config.is_null() ? "" : r.plugin.config.dump();
          rows.push_back(std::move(row));
        }
        PrintRows(ctx, rows,
                  {{"", "current_mark"},
                   {"RELEASE", "release"},
                   {"NAME", "name"},
                   {"VERSION", "version"},
                   {"KIND", "kind"},
                   {"PUBLISHED BY", "publisher"},
                   {"PUBLISHED", "published_at"},
                   {"CONFIG", "config_text"}});
      });
}

}  // namespace fieldcrm::sync
