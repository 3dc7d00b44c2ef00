// GET /metrics on a real server after real tablets synced: Prometheus' text format, office
// tokens only, and figures that match what happened (changes pushed and pulled per team,
// requests and their latency histogram, how far behind each tablet is).
#include <doctest/doctest.h>
#include <httplib.h>

#include <map>
#include <regex>
#include <sstream>

#include "fieldcrm/model/customers.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

constexpr const char* kTeamA = "滨江一组";
constexpr const char* kTeamB = "城东二组";

// Every sample line of an exposition: "name{labels}" -> value. Fails the test on a line that is
// neither a comment nor a sample.
std::map<std::string, double> Samples(const std::string& text) {
  static const std::regex kSample(R"(^([a-z_]+(\{[^}]*\})?) (-?[0-9.e+]+|\+Inf|NaN)$)");
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_match(line, m, kSample), line);
    out[m[1]] = std::stod(m[3]);
  }
  return out;
}

httplib::Result Get(const std::string& url, const std::string& token) {
  httplib::Client client(url);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return client.Get("/metrics", headers);
}

TEST_CASE("metrics count what the tablets did and show who is behind; office tokens only") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string office = server.Token("总部", "", sync::Role::kOffice);
  std::string token_a = server.Token("王芳", kTeamA);
  std::string token_a2 = server.Token("赵磊", kTeamA);
  std::string token_b = server.Token("李强", kTeamB);
  std::unique_ptr<Store> a = NewTablet(dir.File("a.db"), "王芳", kTeamA);
  std::unique_ptr<Store> a2 = NewTablet(dir.File("a2.db"), "赵磊", kTeamA);
  std::unique_ptr<Store> b = NewTablet(dir.File("b.db"), "李强", kTeamB);

  SUBCASE("only head office reads them") {
    CHECK(Get(server.url(), "")->status == 401);
    httplib::Result agent = Get(server.url(), token_a);
    CHECK(agent->status == 403);
    CHECK(agent->body.find("office token") != std::string::npos);
    httplib::Result ok = Get(server.url(), office);
    REQUIRE(ok->status == 200);
    CHECK(ok->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  }

  SUBCASE("figures") {
    Customers(*a).Add({{"name", "张伟"}, {"phone", "13800138000"}});
    Customers(*a).Add({{"name", "陈明"}, {"phone", "13600001111"}});
    Customers(*b).Add({{"name", "李娜"}, {"phone", "13900139000"}});
    SyncWith(*a2, server.url(), token_a2);  // a2 first: it has nothing to pull yet
    sync::SyncReport pushed_a = SyncWith(*a, server.url(), token_a);
    sync::SyncReport pushed_b = SyncWith(*b, server.url(), token_b);
    sync::SyncReport pulled_a2 = SyncWith(*a2, server.url(), token_a2);  // a's changes
    Customers(*b).Add({{"name", "周杰"}, {"phone", "13700137000"}});
    SyncWith(*b, server.url(), token_b);  // a and a2 are now behind by b's new entries

    std::map<std::string, double> m = Samples(Get(server.url(), office)->body);
    const std::string team_a = std::string("{team=\"") + kTeamA + "\"}";
    const std::string team_b = std::string("{team=\"") + kTeamB + "\"}";
    CHECK(m["fieldcrm_changes_pushed_total" + team_a] == static_cast<double>(pushed_a.sent));
    CHECK(m["fieldcrm_changes_pushed_total" + team_a] ==
          static_cast<double>(LogCount(*a, a->device().id)));
    CHECK(m["fieldcrm_changes_pushed_total" + team_b] ==
          static_cast<double>(LogCount(*b, b->device().id)));
    CHECK(m["fieldcrm_changes_pulled_total" + team_a] == static_cast<double>(pulled_a2.received));
    CHECK(pulled_a2.received == pushed_a.sent);  // a2 got exactly a's changes, none of b's
    CHECK(m["fieldcrm_changes_refused_total" + team_a] == 0);

    // Requests: every push and pull answered 200 is counted and timed.
    const std::string push_ok =
        "fieldcrm_http_requests_total{route=\"/v1/sync/push\",status=\"200\"}";
    CHECK(m[push_ok] >= 3);
    const std::string push_labels = "{route=\"/v1/sync/push\"";
    double count = m["fieldcrm_http_request_duration_seconds_count" + push_labels + "}"];
    CHECK(count == m[push_ok]);
    CHECK(m["fieldcrm_http_request_duration_seconds_bucket" + push_labels + ",le=\"+Inf\"}"] ==
          count);
    double previous = 0;  // cumulative buckets never decrease
    for (const char* le :
         {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"}) {
      double bucket =
          m["fieldcrm_http_request_duration_seconds_bucket" + push_labels + ",le=\"" + le + "\"}"];
      CHECK(bucket >= previous);
      previous = bucket;
    }
    CHECK(previous == count);
    // Every push ran through the group commit (one at a time here: a transaction each at most),
    // and none waits now.
    CHECK(m["fieldcrm_pushes_total"] >= m[push_ok]);
    CHECK(m["fieldcrm_push_commits_total"] >= 1);
    CHECK(m["fieldcrm_push_commits_total"] <= m["fieldcrm_pushes_total"]);
    CHECK(m["fieldcrm_push_queue_depth"] == 0);
    // This scrape itself, and maybe the last sync request, answered but not yet logged.
    CHECK(m["fieldcrm_http_requests_in_flight"] >= 1);

    // Behind: a and a2 have not pulled since b's last push; b is up to date.
    double head = m["fieldcrm_log_head"];
    CHECK(head == static_cast<double>(server.storage().store().LogHead()));
    auto behind = [&](Store& tablet, const char* agent, const char* team) {
      return m["fieldcrm_device_behind_entries{device=\"" + tablet.device().id + "\",team=\"" +
               team + "\",agent=\"" + agent + "\"}"];
    };
    double b_new =
        static_cast<double>(LogCount(*b, b->device().id)) - static_cast<double>(pushed_b.sent);
    CHECK(b_new > 0);
    CHECK(behind(*b, "李强", kTeamB) == 0);
    CHECK(behind(*a2, "赵磊", kTeamA) == b_new);
    CHECK(behind(*a, "王芳", kTeamA) >= b_new);
    CHECK(m["fieldcrm_team_devices" + team_a] == 2);
    CHECK(m["fieldcrm_team_devices" + team_b] == 1);

    // Once a2 syncs again it is no longer behind, and the devices page says the same.
    SyncWith(*a2, server.url(), token_a2);
    m = Samples(Get(server.url(), office)->body);
    CHECK(behind(*a2, "赵磊", kTeamA) == 0);
    nlohmann::json devices = server.storage().Report("devices", {}, [] { return false; });
    for (const nlohmann::json& row : devices["tables"][0]["rows"]) {
      if (row["device"] == a2->device().id) CHECK(row["behind"] == 0);
      if (row["device"] == a->device().id) CHECK(row["behind"].get<double>() >= b_new);
    }
  }
}

}  // namespace
}  // namespace fieldcrm::testing
