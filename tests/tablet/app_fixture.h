// A real app server on 127.0.0.1 over a real store file, run on a thread of the test, and an
// HTTP client that behaves as the tablet's browser does after opening the printed address.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/tablet/app_server.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {

struct AppFixture {
  TempDir dir;
  std::string db = dir.File("tablet.db");
  std::string secret = "0123456789abcdef0123456789abcdef";
  std::unique_ptr<tablet::AppServer> app;
  std::thread serving;

  // create_store: a store for booth-1 (agent 王芳) exists before the app starts.
  explicit AppFixture(bool create_store = true) {
    if (create_store)
      CreateCustomerStore(db, {.name = "booth-1", .agent = "王芳", .team = "滨江一组"});
    tablet::AppOptions options;
    options.session.db_path = db;
    options.session.plugins_dir = FIELDCRM_BINARY_DIR "/plugins";
    options.secret = secret;
    app = std::make_unique<tablet::AppServer>(options);
    app->Bind();
    serving = std::thread([this] { app->Run(); });
  }
  ~AppFixture() {
    app->Stop();
    serving.join();
  }

  std::string Host() const { return "127.0.0.1:" + std::to_string(app->port()); }
  httplib::Client Client() const { return httplib::Client("127.0.0.1", app->port()); }
  // Headers of the app's own page: its cookie, and same-origin fetch metadata.
  httplib::Headers Browser() const {
    return {{"Cookie", std::string("fieldcrm_app=") + secret},
            {"Origin", "http://" + Host()},
            {"Sec-Fetch-Site", "same-origin"}};
  }
  httplib::Result Get(const std::string& path) { return Client().Get(path, Browser()); }
  httplib::Result Post(const std::string& path, const nlohmann::json& body) {
    return Client().Post(path, Browser(), body.dump(), "application/json");
  }
};

// `fieldcrm --db DB app --listen 127.0.0.1:0 EXTRA...` as a process (stdout and stderr into
// files of dir), and a client that behaves as the tablet's browser after opening the printed
// address. SIGKILLed at scope exit if still running.
struct AppProcess {
  pid_t pid = -1;
  int port = 0;
  std::string cookie;
  std::string out, err;

  AppProcess(const TempDir& dir, const std::string& db, const std::vector<std::string>& extra = {})
      : out(dir.File("app.out")), err(dir.File("app.err")) {
    std::ofstream(dir.File("app.in"));
    std::vector<std::string> argv = {FIELDCRM_CLI, "--db", db, "app", "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid = Spawn(argv, dir.File("app.in"), out, err);
    std::smatch match;
    std::string printed;
    std::regex url(R"(http://127\.0\.0\.1:(\d+)/\?key=([0-9a-f]{32}))");
    for (int i = 0; i < 600 && !std::regex_search(printed, match, url); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      printed = Slurp(out);
    }
    REQUIRE_MESSAGE(match.size() == 3, printed, Slurp(err));
    port = std::stoi(match[1]);
    cookie = "fieldcrm_app=" + match[2].str();
  }
  ~AppProcess() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  // Sends sig and waits for the exit; returns waitpid's status.
  int Signal(int sig) {
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }

  httplib::Headers Browser() const {
    return {{"Cookie", cookie}, {"Origin", "http://127.0.0.1:" + std::to_string(port)}};
  }
  httplib::Result Get(const std::string& path) const {
    return httplib::Client("127.0.0.1", port).Get(path, Browser());
  }
  httplib::Result Post(const std::string& path, const nlohmann::json& body) const {
    return httplib::Client("127.0.0.1", port)
        .Post(path, Browser(), body.dump(), "application/json");
  }
};

inline nlohmann::json Json(const httplib::Result& res) {
  return nlohmann::json::parse(res->body);
}

}  // namespace fieldcrm::testing
