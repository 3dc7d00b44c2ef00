// Signed plugins delivered from head office, through the real programs: fieldcrm-server signs and
// publishes real .so files, tablets (fieldcrm processes) receive them at their next sync, verify
// them against the head-office key pinned at set-up and grade with them exactly as the server
// does; a rollback reaches them the same way. Unsigned, tampered and wrongly signed libraries are
// refused with a reason, and nothing unsigned loads unless asked for.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/plugins/plugin_world.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kTiering = BuiltinPlugins() + "/tiering.so";
const std::string kFlatTiering = FIXTURE_PLUGIN_DIR "/flat_tiering.so";

std::string Ok(const std::string& db, const std::vector<std::string>& args) {
  RunResult r = Cli(db, args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return Line(r.out);
}

std::string HqOk(const std::string& db, const std::vector<std::string>& args) {
  RunResult r = Server(db, args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return Line(r.out);
}

// `plugins list --json` of a tablet, by file name.
json PluginsByFile(const std::string& db, const std::vector<std::string>& flags = {}) {
  std::vector<std::string> args = flags;
  args.insert(args.end(), {"--json", "plugins", "list"});
  json list = json::parse(Ok(db, args));
  json out = json::object();
  for (const json& p : list["plugins"]) {
    out[fs::path(p["file"].get<std::string>()).filename().string()] = p;
  }
  return out;
}

// The only file of the delivered folder named like name*.so.
fs::path Delivered(const std::string& db, const std::string& name) {
  fs::path found;
  for (const auto& entry : fs::directory_iterator(db + ".plugins")) {
    std::string file = entry.path().filename().string();
    if (file.starts_with(name + "-") && entry.path().extension() == ".so") found = entry.path();
  }
  REQUIRE_MESSAGE(!found.empty(), "nothing for " << name << " in " << db << ".plugins");
  return found;
}

void FlipByte(const fs::path& file, std::streamoff at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x01));
}

// Head office with a signing key and a running server that loads only published plugins.
struct HeadOffice {
  explicit HeadOffice(const TempDir& dir)
      : db(dir.File("hq.db")), empty(dir.File("no-local-plugins")) {
    fs::create_directories(empty);
    agent_a = HqOk(db, {"token", "create", "--agent", "王芳", "--team", "滨江一组"});
    agent_b = HqOk(db, {"token", "create", "--agent", "李强", "--team", "滨江一组"});
    office = HqOk(db, {"token", "create", "--agent", "总部", "--role", "office"});
    key = HqOk(db, {"keys", "init"});
    server = std::make_unique<ServerProcess>(
        db, dir.File("hq.log"), std::vector<std::string>{"--insecure-http", "--plugins", empty});
  }
  // The server's grade of a customer (tier, score, RFM), from its customer report.
  json Grade(const std::string& id) const {
    auto api = sync::MakeHttpTransport(server->url(), office);
    sync::HttpReply reply = api->Get("/v1/reports/customer?id=" + id);
    REQUIRE_MESSAGE(reply.status == 200, reply.body.dump());
    const json& tier = reply.body["tier"];
    return {{"tier", tier["tier"]}, {"tier_score", tier["tier_score"]}, {"rfm", tier["rfm"]}};
  }

  std::string db, empty, agent_a, agent_b, office, key;
  std::unique_ptr<ServerProcess> server;
};

json TabletGrade(const std::string& db, const std::string& id) {
  json c = json::parse(Ok(db, {"--json", "customer", "get", id}));
  return {{"tier", c["tier"]}, {"tier_score", c["tier_score"]}, {"rfm", c["rfm"]}};
}

// The suite's environment asks for unsigned plugins (tests/CMakeLists.txt); these tests must not.
struct NoUnsignedPlugins {
  NoUnsignedPlugins() { unsetenv("FIELDCRM_ALLOW_UNSIGNED_PLUGINS"); }
  ~NoUnsignedPlugins() { setenv("FIELDCRM_ALLOW_UNSIGNED_PLUGINS", "1", 1); }
};

TEST_CASE("keys init writes the secret key 0600 once and never overwrites it") {
  TempDir dir;
  std::string db = dir.File("hq.db");
  HqOk(db, {"token", "create", "--agent", "总部", "--role", "office"});
  std::string key = HqOk(db, {"keys", "init"});
  CHECK(key.size() == 64);
  CHECK(HqOk(db, {"keys", "show"}) == key);
  struct stat info {};
  REQUIRE(stat((db + ".signing-key").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  std::string secret = ReadFile(db + ".signing-key");
  RunResult again = Server(db, {"keys", "init"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already has a signing key") != std::string::npos);
  RunResult other =
      Server(dir.File("other.db"), {"keys", "init", "--key-file", db + ".signing-key"});
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("never overwritten") != std::string::npos);
  CHECK(ReadFile(db + ".signing-key") == secret);
  // Publishing with another server's key is refused.
  RunResult wrong = Server(dir.File("other.db"),
                           {"plugins", "publish", kTiering, "--key-file", db + ".signing-key"});
  CHECK(wrong.exit_code == 1);
}

TEST_CASE("unsigned plugins load only when asked for") {
  NoUnsignedPlugins strict;
  TempDir dir;
  std::string tablet = dir.File("tablet.db");
  Ok(tablet, {"init", "--device", "booth-a", "--agent", "王芳", "--team", "滨江一组"});
  std::string folder = dir.File("mine");
  fs::create_directories(folder);
  fs::copy_file(kTiering, folder + "/tiering.so");
  json refused = PluginsByFile(tablet, {"--plugins", folder})["tiering.so"];
  CHECK(refused["state"] == "refused");
  CHECK(refused["reason"].get<std::string>().find("unsigned") != std::string::npos);
  CHECK(refused["reason"].get<std::string>().find("--allow-unsigned-plugins") != std::string::npos);
  json asked = PluginsByFile(tablet, {"--plugins", folder, "--allow-unsigned-plugins"});
  CHECK(asked["tiering.so"]["state"] == "loaded");
  CHECK(asked["tiering.so"]["release"].is_null());
}

TEST_CASE("a published plugin reaches two tablets, grades as on the server, and rolls back") {
  NoUnsignedPlugins strict;
  TempDir dir;
  HeadOffice hq(dir);
  // Rules signed with the release: a budget alone makes A here (default thresholds: C).
  std::string rules = R"({"thresholds": {"A": 20, "B": 10, "C": 5}})";
  json published =
      json::parse(HqOk(hq.db, {"--json", "plugins", "publish", kTiering, "--kind", "tiering",
                               "--config", rules, "--publisher", "总部 IT"}));
  CHECK(published["version"] == "1.0.0");
  CHECK(published["current"] == true);

  std::string a = dir.File("a.db"), b = dir.File("b.db");
  Ok(a, {"init", "--device", "booth-a", "--agent", "王芳", "--team", "滨江一组"});
  Ok(b, {"init", "--device", "booth-b", "--agent", "李强", "--team", "滨江一组"});
  std::string rich =
      Ok(a, {"customer", "add", "--name", "张伟", "--phone", "13800138000", "--budget", "500万"});
  std::string cold = Ok(b, {"customer", "add", "--name", "李娜", "--phone", "13900001111"});
  RunResult first = Cli(a, {"sync", "--server", hq.server->url(), "--token", hq.agent_a,
                            "--head-office-key", hq.key});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(first.err.find("installed head office's plugin tiering 1.0.0") != std::string::npos);
  Ok(b, {"sync", "--server", hq.server->url(), "--token", hq.agent_b, "--head-office-key", hq.key});
  Ok(a, {"sync"});

  for (const std::string& db : {a, b}) {
    CAPTURE(db);
    json tiering = PluginsByFile(db)[Delivered(db, "tiering").filename().string()];
    CHECK(tiering["state"] == "loaded");
    CHECK(tiering["role"] == "active");
    CHECK(tiering["release"]["publisher"] == "总部 IT");
    CHECK(tiering["release"]["version"] == "1.0.0");
    // The build's own unsigned tiering.so is not loaded beside it.
    CHECK(PluginsByFile(db)["tiering.so"]["state"] == "refused");
    CHECK(json::parse(Ok(db, {"--json", "plugins", "config", "tiering"}))["thresholds"]["A"] == 20);
    RunResult local = Cli(db, {"plugins", "config", "tiering", R"({"thresholds": {"A": 90}})"});
    CHECK(local.exit_code == 1);
    CHECK(local.err.find("head office signed") != std::string::npos);
    for (const std::string& id : {rich, cold}) CHECK(TabletGrade(db, id) == hq.Grade(id));
  }
  CHECK(TabletGrade(a, rich)["tier"] == "A");

  // A new version: everyone B, everywhere; then back to 1.0.0 with its signed rules.
  HqOk(hq.db, {"plugins", "publish", kFlatTiering});
  for (const std::string& db : {a, b}) Ok(db, {"sync"});
  for (const std::string& db : {a, b}) {
    CHECK(TabletGrade(db, rich)["tier"] == "B");
    CHECK(TabletGrade(db, rich) == hq.Grade(rich));
  }
  json rolled =
      json::parse(HqOk(hq.db, {"--json", "plugins", "rollback", "tiering", "--to", "1.0.0"}));
  CHECK(rolled["release"] == published["release"]);
  for (const std::string& db : {a, b}) Ok(db, {"sync"});
  for (const std::string& db : {a, b}) {
    CAPTURE(db);
    CHECK(TabletGrade(db, rich)["tier"] == "A");
    for (const std::string& id : {rich, cold}) CHECK(TabletGrade(db, id) == hq.Grade(id));
    CHECK(fs::directory_iterator(db + ".plugins") != fs::directory_iterator());
  }
  json list = json::parse(HqOk(hq.db, {"--json", "plugins", "list"}));
  REQUIRE(list.size() == 2);
  CHECK(list[0]["version"] == "9.0.0");
  CHECK(list[0]["current"] == false);
  CHECK(list[1]["current"] == true);
  CHECK(list[1]["publisher"] == "总部 IT");
  RunResult unknown = Server(hq.db, {"plugins", "rollback", "tiering", "--to", "7.0.0"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("published: 1.0.0, 9.0.0") != std::string::npos);
}

TEST_CASE("tampered and wrongly signed plugins are refused") {
  NoUnsignedPlugins strict;
  TempDir dir;
  HeadOffice hq(dir);
  HqOk(hq.db, {"plugins", "publish", kTiering});
  std::string tablet = dir.File("tablet.db");
  Ok(tablet, {"init", "--device", "booth-a", "--agent", "王芳", "--team", "滨江一组"});
  std::string id = Ok(tablet, {"customer", "add", "--name", "张伟", "--phone", "13800138000"});

  SUBCASE("a tablet that pinned another key installs nothing") {
    TempDir elsewhere;
    std::string other_key = HqOk(elsewhere.File("other.db"), {"keys", "init"});
    RunResult sync = Cli(tablet, {"sync", "--server", hq.server->url(), "--token", hq.agent_a,
                                  "--head-office-key", other_key});
    REQUIRE_MESSAGE(sync.exit_code == 0, sync.err);
    CHECK(sync.err.find("refused head office's plugin 'tiering': its signature does not verify "
                        "against the pinned head-office key") != std::string::npos);
    CHECK(fs::is_empty(tablet + ".plugins"));
    // Only the program's own built-in tiering grades here, unsigned as shipped with it.
    json tiering = PluginsByFile(tablet)["tiering.so"];
    CHECK(tiering["state"] == "loaded");
    CHECK(tiering["release"].is_null());
  }
  SUBCASE("a tablet without a pinned key is told so") {
    RunResult sync = Cli(tablet, {"sync", "--server", hq.server->url(), "--token", hq.agent_a});
    REQUIRE_MESSAGE(sync.exit_code == 0, sync.err);
    CHECK(sync.err.find("no head-office key is pinned") != std::string::npos);
  }
  SUBCASE("one changed byte in the installed library or its signature") {
    Ok(tablet,
       {"sync", "--server", hq.server->url(), "--token", hq.agent_a, "--head-office-key", hq.key});
    fs::path library = Delivered(tablet, "tiering");
    CHECK(PluginsByFile(tablet)[library.filename().string()]["state"] == "loaded");
    fs::path signature = library.string() + ".sig";
    std::string signed_text = ReadFile(signature.string());

    FlipByte(library, static_cast<std::streamoff>(fs::file_size(library) / 2));
    json refused = PluginsByFile(tablet)[library.filename().string()];
    CHECK(refused["state"] == "refused");
    CHECK(refused["reason"].get<std::string>().find("altered after head office signed it") !=
          std::string::npos);
    // Asking for unsigned plugins does not let a tampered signed one in.
    CHECK(
        PluginsByFile(tablet, {"--allow-unsigned-plugins"})[library.filename().string()]["state"] ==
        "refused");
    // The next sync repairs the folder from head office.
    Ok(tablet, {"sync"});
    CHECK(PluginsByFile(tablet)[library.filename().string()]["state"] == "loaded");

    std::string forged = signed_text;
    forged.replace(forged.find("1.0.0"), 5, "1.0.1");
    std::ofstream(signature, std::ios::trunc) << forged;
    refused = PluginsByFile(tablet)[library.filename().string()];
    CHECK(refused["state"] == "refused");
    CHECK(refused["reason"].get<std::string>().find("does not verify") != std::string::npos);

    // The next sync repairs the folder from head office.
    Ok(tablet, {"sync"});
    CHECK(PluginsByFile(tablet)[Delivered(tablet, "tiering").filename().string()]["state"] ==
          "loaded");
  }
}

}  // namespace
}  // namespace fieldcrm::testing
