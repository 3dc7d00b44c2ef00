// Team isolation from the outside: with team B's agent token, every request shape we could think
// of (pulls from any position and for any device, pushes onto team A's ids taken from its CSV
// export or guessed, forged device fields, other methods and paths, query variations) neither
// returns nor changes anything of team A's.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <sstream>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/records.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/sync/protocol.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr const char* kTeamA = "滨江一组";
constexpr const char* kTeamB = "城东二组";

// Team A's tablet with two customers (one with a visit), team B's with one, all synced.
struct TwoTeams {
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::string a_path = dir.File("a.db");
  std::unique_ptr<Store> a = NewTablet(a_path, "王芳", kTeamA);
  std::unique_ptr<Store> b = NewTablet(dir.File("b.db"), "李强", kTeamB);
  std::string token_a = server.Token("王芳", kTeamA);
  std::string token_b = server.Token("李强", kTeamB);
  std::string exported_a, hidden_a, visit_a, customer_b;

  TwoTeams() {
    exported_a = Customers(*a).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    hidden_a = Customers(*a).Add({{"name", "陈明"}, {"phone", "13600001111"}}).id;
    visit_a = Activities(*a).AddInteraction(exported_a, {.note = "看了江景房"});
    customer_b = Customers(*b).Add({{"name", "李娜"}, {"phone", "13900139000"}}).id;
    SyncWith(*a, server.url(), token_a);
    SyncWith(*b, server.url(), token_b);
  }

  // What the server and team A's tablet hold of team A: A's records and field states on the
  // server, and A's whole tablet after one more sync.
  std::string TeamAState() {
    SyncWith(*a, server.url(), token_a);
    std::string out = CanonicalDump(*a);
    Store& central = server.storage().store();
    for (const std::string& id : {exported_a, hidden_a, visit_a}) {
      Statement& stmt = StoreDatabase(central).Prepare(
          "SELECT r.kind, COALESCE(r.root, ''), r.deleted, r.doc, f.field, "
          "COALESCE(f.value, 'null'), f.hlc, f.device FROM records r "
          "JOIN field_state f ON f.record = r.id WHERE r.id = ? ORDER BY f.field");
      stmt.Bind(id);
      while (stmt.Step()) {
        for (int col = 0; col < 8; ++col) out += stmt.Text(col) + '|';
        out += '\n';
      }
      stmt.Reset();
    }
    return out;
  }

  // A's entry in 'fieldcrm-server devices': its owner and when it last pushed and pulled.
  std::string TeamADevice() {
    std::string out;
    for (const sync::DeviceStatus& d : server.storage().ListDevices()) {
      if (d.team == kTeamA) out += d.device + d.agent + d.token + d.last_push_at + d.last_pull_at;
    }
    return out;
  }
};

// Team B's token sending whatever it likes; keeps every answer.
class Attacker {
 public:
  Attacker(const std::string& url, const std::string& token) : http_(url) {
    http_.set_bearer_token_auth(token);
  }
  int Post(const std::string& path, const json& body) {
    return Keep(http_.Post(path, body.dump(), "application/json"));
  }
  int Get(const std::string& path_and_query) { return Keep(http_.Get(path_and_query)); }
  int Put(const std::string& path, const json& body) {
    return Keep(http_.Put(path, body.dump(), "application/json"));
  }
  int Delete(const std::string& path) { return Keep(http_.Delete(path)); }
  const std::string& answers() const { return answers_; }
  // Every change a 200 pull answer returned.
  std::vector<json> pulled;

 private:
  int Keep(const httplib::Result& result) {
    REQUIRE(result);
    answers_ += result->body + '\n';
    json body = json::parse(result->body, nullptr, false);
    if (result->status == 200 && body.is_object() && body.contains("changes")) {
      for (const json& change : body["changes"]) pulled.push_back(change);
    }
    return result->status;
  }
  httplib::Client http_;
  std::string answers_;
};

json Change(const std::string& device, int64_t seq, const std::string& kind,
            const std::string& record, const std::string& field, const json& value) {
  return {{"device", device}, {"seq", seq},    {"hlc", HlcFromMillis(Env::Default().NowMillis())},
          {"base", 0},        {"kind", kind},  {"record", record},
          {"field", field},   {"value", value}};
}

json Push(const std::string& device, json changes) {
  return {
      {"protocol", sync::kProtocolVersion}, {"device", device}, {"changes", std::move(changes)}};
}

json Pull(const std::string& device, json after, json limit = 500) {
  return {
      {"protocol", sync::kProtocolVersion}, {"device", device}, {"after", after}, {"limit", limit}};
}

json Snapshot(const std::string& device, json at, json after, json limit = 500) {
  return {{"protocol", sync::kProtocolVersion},
          {"device", device},
          {"at", at},
          {"after", after},
          {"limit", limit}};
}

// The customer ids in a CSV export (the first, quoted column of every row but the header).
std::vector<std::string> ExportedIds(const std::string& db) {
  RunResult exported = Cli(db, {"export"});
  REQUIRE(exported.exit_code == 0);
  std::vector<std::string> ids;
  std::istringstream lines(exported.out);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) ids.push_back(line.substr(1, line.find("\",") - 1));
  return ids;
}

TEST_CASE("team B's token neither reads nor changes team A's records, whatever it sends") {
  TwoTeams t;
  std::string before = t.TeamAState();
  std::string device_before = t.TeamADevice();
  std::string a_device = t.a->device().id;
  std::string b_device = t.b->device().id;
  // B got hold of team A's export (a mislaid file), so it knows A's customer ids; it also tries a
  // random id of the same shape, and A's visit's id.
  std::vector<std::string> a_ids = ExportedIds(t.a_path);
  REQUIRE(a_ids.size() == 2);
  REQUIRE(std::find(a_ids.begin(), a_ids.end(), t.exported_a) != a_ids.end());
  std::string guessed = t.b->NewId();
  Attacker b(t.server.url(), t.token_b);

  SUBCASE("pulls from any position, for any device, with extra members") {
    for (json after :
         {json(0), json(1), json(3), json(int64_t{1} << 62), json(-1), json(-1000000)}) {
      b.Post(sync::kPullPath, Pull(b_device, after));
      b.Post(sync::kPullPath, Pull(a_device, after));
      b.Post(sync::kPullPath, Pull(guessed, after));
    }
    for (json limit : {json(0), json(1), json(1000000), json(-5)}) {
      b.Post(sync::kPullPath, Pull(b_device, 0, limit));
    }
    json forged = Pull(b_device, 0);
    forged["team"] = kTeamA;
    forged["role"] = "office";
    forged["agent"] = "王芳";
    b.Post(sync::kPullPath, forged);
    CHECK(b.Post(sync::kPullPath, Pull(a_device, 0)) == 403);  // A's device is A's token's
    b.Get(std::string(sync::kPullPath) + "?protocol=1&device=" + b_device + "&after=0");
    b.Get(std::string(sync::kPullPath) + "?protocol=1&device=" + b_device +
          "&after=0&team=" + kTeamA + "&role=office");
    b.Get(std::string(sync::kPullPath) + "?protocol=1&device=" + a_device + "&after=0");
    b.Get(std::string(sync::kPullPath) + "?protocol=1&device=" + b_device + "&after=-1");
    b.Get(std::string(sync::kPullPath) + "?protocol=1&device=" + b_device + "&device=" + a_device +
          "&after=0&after=0");
    b.Get(std::string(sync::kPullPath) + "?protocol=1&after=0");
  }
  SUBCASE("snapshots at any position, for any device, with extra members") {
    for (json at : {json(0), json(1), json(3), json(int64_t{1} << 62), json(-1)}) {
      for (json after : {json(0), json(1), json(2), json(-1)}) {
        b.Post(sync::kSnapshotPath, Snapshot(b_device, at, after));
        b.Post(sync::kSnapshotPath, Snapshot(guessed, at, after));
      }
    }
    for (json limit : {json(0), json(1), json(1000000), json(-5)}) {
      b.Post(sync::kSnapshotPath, Snapshot(guessed, 0, 0, limit));
    }
    json forged = Snapshot(guessed, 0, 0);
    forged["team"] = kTeamA;
    forged["role"] = "office";
    b.Post(sync::kSnapshotPath, forged);
    CHECK(b.Post(sync::kSnapshotPath, Snapshot(a_device, 0, 0)) == 403);
    // What B's own team has does come: B's customer, to a device other than the one that wrote it.
    CHECK(b.Post(sync::kSnapshotPath, Snapshot(guessed, 0, 0)) == 200);
    CHECK(std::any_of(b.pulled.begin(), b.pulled.end(),
                      [&](const json& change) { return change["record"] == t.customer_b; }));
  }
  SUBCASE("pushes onto team A's ids: field writes, tombstones, merges, new children") {
    int64_t seq = 1000;
    for (const std::string& id : {a_ids[0], a_ids[1], guessed}) {
      for (auto [field, value] :
           std::vector<std::pair<std::string, json>>{{"name", "被改了"},
                                                     {"phone", "+8613900139000"},
                                                     {"team", kTeamB},
                                                     {"team", kTeamA},
                                                     {kDeletedField, true},
                                                     {kMergedIntoField, t.customer_b},
                                                     {"stage", nullptr}}) {
        b.Post(sync::kPushPath,
               Push(b_device, {Change(b_device, ++seq, "customer", id, field, value)}));
      }
      // A new customer of B's merged into A's, a visit and a deal hung on A's customer, and a
      // write to A's visit by id; each alone and all in one batch with B's own team field.
      std::string mine = t.b->NewId();
      json batch = {Change(b_device, ++seq, "customer", mine, "team", kTeamB),
                    Change(b_device, ++seq, "customer", mine, "name", "托"),
                    Change(b_device, ++seq, "customer", mine, kMergedIntoField, id),
                    Change(b_device, ++seq, "interaction", t.b->NewId(), "customer", id),
                    Change(b_device, ++seq, "deal", t.b->NewId(), "customer", id),
                    Change(b_device, ++seq, "interaction", t.visit_a, "notes", "改"),
                    Change(b_device, ++seq, "customer", id, "team", kTeamB)};
      b.Post(sync::kPushPath, Push(b_device, batch));
      for (const json& change : batch) b.Post(sync::kPushPath, Push(b_device, {change}));
    }
    // Forged device fields: A's device as the pusher, A's changes' ids with other content.
    CHECK(b.Post(sync::kPushPath, Push(a_device, {Change(a_device, 9999, "customer", t.exported_a,
                                                         "name", "x")})) == 403);
    CHECK(b.Post(sync::kPushPath, Push(b_device, {Change(a_device, 1, "customer", t.exported_a,
                                                         "name", "x")})) == 400);
    CHECK(b.Post(sync::kPushPath, Push(guessed, {Change(a_device, 1, "customer", t.exported_a,
                                                        "name", "x")})) == 400);
    json forged = Push(b_device, {Change(b_device, ++seq, "customer", t.exported_a, "note", "x")});
    forged["team"] = kTeamA;
    forged["role"] = "office";
    forged["changes"][0]["team"] = kTeamA;
    b.Post(sync::kPushPath, forged);
    // The tablet's own way: B's store writing onto A's ids, then a normal sync.
    t.b->Write("customer", t.exported_a, {{"stage", "buyer"}});
    t.b->Write("interaction", t.b->NewId(), {{"customer", t.exported_a}, {"type", "visit"}});
    t.b->Write("customer", t.customer_b, {{kMergedIntoField, t.exported_a}});
    sync::SyncReport report = SyncWith(*t.b, t.server.url(), t.token_b);
    CHECK(report.sent == 0);
    CHECK(report.refused.size() >= 4);
  }
  SUBCASE("other methods, paths and encodings") {
    CHECK(b.Put(sync::kPushPath, Push(b_device, json::array())) == 405);
    CHECK(b.Delete(sync::kPullPath) == 405);
    CHECK(b.Get("/v1/sync/pull/../push") == 404);
    CHECK(b.Get("/v1/sync/../../v1/sync/pull?protocol=1&after=0&device=" + a_device) != 200);
    CHECK(b.Get(std::string(sync::kPushPath)) == 404);
    CHECK(b.Post(sync::kPullPath, json("[]")) == 400);
    CHECK(b.Post(sync::kPullPath, json::array({Pull(b_device, 0)})) == 400);
  }

  // Nothing of A's came back: no change of an A record, none of A's values, names or team (refusals
  // only echo the ids B sent).
  for (const json& change : b.pulled) {
    CHECK(change["record"] != t.exported_a);
    CHECK(change["record"] != t.hidden_a);
    CHECK(change["record"] != t.visit_a);
    CHECK(change["device"] != a_device);
  }
  for (const char* secret : {"张伟", "陈明", "13800138000", "13600001111", "看了江景房", "王芳"}) {
    CHECK_MESSAGE(b.answers().find(secret) == std::string::npos, secret << " in " << b.answers());
  }
  CHECK(b.answers().find(kTeamA) == std::string::npos);
  // And nothing of A's changed, on the server or on A's tablet.
  CHECK(t.TeamADevice() == device_before);
  CHECK(t.TeamAState() == before);
  CHECK(Customers(*t.b).List({}).size() >= 1);
}

// Customers are deduplicated company-wide by phone (docs/merge-rules.md), so this one shape does
// touch team A's customer: B's registration is folded into A's earlier one. Pinned here, with
// what it must still not do: hand B anything of A's. (docs/security.md, "Team isolation")
TEST_CASE("a phone both teams registered joins A's first registration; B still receives nothing") {
  TwoTeams t;
  Customers(*t.b).Add({{"name", "王五"}, {"phone", "138 0013 8000"}});
  SyncWith(*t.b, t.server.url(), t.token_b);
  SyncWith(*t.b, t.server.url(), t.token_b);
  SyncWith(*t.a, t.server.url(), t.token_a);
  json survivor = Customers(t.server.storage().store()).Get(t.exported_a);
  CHECK(survivor["name"] == "张伟");
  CHECK(survivor["team"] == kTeamA);
  std::string b_state = CanonicalDump(*t.b);
  for (const std::string& secret : {t.exported_a, t.visit_a, std::string("张伟"),
                                    std::string("看了江景房"), std::string(kTeamA)}) {
    CHECK_MESSAGE(b_state.find(secret) == std::string::npos, secret);
  }
}

}  // namespace
}  // namespace fieldcrm::testing
