// A real app server on 127.0.0.1 over a real store file, run on a thread of the test, and an
// HTTP client that behaves as the tablet's browser does after opening the printed address.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store.h"
#include "fieldcrm/tablet/app_server.h"
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

inline nlohmann::json Json(const httplib::Result& res) {
  return nlohmann::json::parse(res->body);
}

}  // namespace fieldcrm::testing
