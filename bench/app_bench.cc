#include "app_bench.h"

#include <httplib.h>

#include <algorithm>
#include <random>
#include <thread>

#include "data.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/tablet/app_server.h"
#include "tablets.h"

namespace fieldcrm::bench {

namespace {

using nlohmann::json;

constexpr const char* kSecret = "00112233445566778899aabbccddeeff";

// A tablet's store whose customers were all registered (or imported) on it and not synced yet,
// the worst case for the status line's count of changes waiting; every tenth was visited.
std::vector<json> FillStore(const std::string& path, int64_t customers) {
  auto store = FreshStore(path, {"", "booth-bench", "顾问1", "team-0"});
  ApplyInBatches(*store, MakeCustomerChanges(store->device().id, customers * 10, 29, "team-0"));
  std::vector<json> all = Customers(*store).List({});
  Activities activities(*store);
  Transaction txn = store->Transact();
  for (size_t i = 0; i < all.size(); i += 10) {
    activities.AddInteraction(all[i]["id"], {.type = "visit", .note = "bench", .minutes = 30});
  }
  txn.Commit();
  return all;
}

struct Client {
  httplib::Client http;
  httplib::Headers headers;
  Client(int port)
      : http("127.0.0.1", port),
        headers({{"Cookie", std::string("fieldcrm_app=") + kSecret},
                 {"Origin", "http://127.0.0.1:" + std::to_string(port)}}) {}

  // Milliseconds one call took; throws unless it answered `expected`.
  double Time(const std::string& method, const std::string& path, const json& body, int expected) {
    double start = Now();
    httplib::Result res = method == "GET"
                              ? http.Get(path, headers)
                              : http.Post(path, headers, body.dump(), "application/json");
    double ms = (Now() - start) * 1000;
    if (!res || res->status != expected) {
      throw std::runtime_error(method + " " + path + " answered " +
                               (res ? std::to_string(res->status) + " " + res->body : "nothing"));
    }
    return ms;
  }
};

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

}  // namespace

void RunAppBenchmark(const Options& options, Report& report) {
  int64_t count = options.Scaled(100'000, 50);
  std::string path = options.dir + "/app.db";
  std::vector<json> customers = FillStore(path, count);

  tablet::AppOptions app_options;
  app_options.session.db_path = path;
  app_options.session.plugins_dir = options.plugins_dir;
  app_options.secret = kSecret;
  double start = Now();
  tablet::AppServer app(app_options);
  app.Bind();
  std::thread serving([&app] { app.Run(); });
  Client client(app.port());
  // The board (every customer's tier and alerts) is computed in the background at start.
  while (client.http.Get("/api/status", client.headers)->body.find("\"tiers_ready\":true") ==
         std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string n = std::to_string(count) + " customers";
  report.Add({"app", "start to tiers and alerts ready", Now() - start, "s",
              n + ": the board's first pass, in the background (screens answer meanwhile)"});

  std::mt19937 rng(5);
  auto any = [&]() -> const json& { return customers[rng() % customers.size()]; };
  auto digits = [](const json& c) { return c["phone"].get<std::string>().substr(3); };
  int calls = static_cast<int>(std::max<int64_t>(20, options.Scaled(200, 20)));
  int64_t fresh_phone = 0;
  const std::vector<std::pair<std::string, std::function<double()>>> screens = {
      {"register: phone lookup while typing",
       [&] {
         return client.Time("GET", "/api/lookup?phone=" + digits(any()).substr(0, 7), {}, 200);
       }},
      {"register: save a visitor",
       [&] {
         json visitor = {{"name", "访客"},
                         {"phone", "1990000" + std::to_string(1000 + fresh_phone++)},
                         {"budget", "350万"},
                         {"source", "来访"}};
         return client.Time("POST", "/api/customers", visitor, 201);
       }},
      {"find: name",
       [&] {
         std::string name = any()["name"];
         return client.Time("GET", "/api/find?q=" + httplib::detail::encode_query_param(name), {},
                            200);
       }},
      {"find: last four digits of a phone",
       [&] { return client.Time("GET", "/api/find?q=" + digits(any()).substr(7), {}, 200); }},
      {"find: tier B", [&] { return client.Time("GET", "/api/find?tier=B", {}, 200); }},
      {"find: stage", [&] { return client.Time("GET", "/api/find?stage=intent", {}, 200); }},
      {"customer card",
       [&] {
         return client.Time("GET", "/api/customers/" + any()["id"].get<std::string>(), {}, 200);
       }},
      {"card: log a visit",
       [&] {
         return client.Time("POST",
                            "/api/customers/" + any()["id"].get<std::string>() + "/interactions",
                            {{"type", "visit"}, {"minutes", "30"}}, 201);
       }},
      {"today", [&] { return client.Time("GET", "/api/today", {}, 200); }},
      {"status line", [&] { return client.Time("GET", "/api/status", {}, 200); }},
      {"conflicts", [&] { return client.Time("GET", "/api/conflicts", {}, 200); }},
  };
  for (const auto& [screen, call] : screens) {
    std::vector<double> ms;
    for (int i = 0; i < calls; ++i) ms.push_back(call());
    report.Add({"app", screen + " p50", Percentile(ms, 0.5), "ms", n + " (target < 100 ms)"});
    report.Add({"app", screen + " p99", Percentile(ms, 0.99), "ms",
                std::to_string(calls) + " calls (target < 100 ms)"});
  }
  app.Stop();
  serving.join();
}

}  // namespace fieldcrm::bench
