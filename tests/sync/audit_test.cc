// The audit trail head office relies on in commission disputes: through a real server and two
// tablets, every accepted change names its device and agent and the server's time of acceptance,
// `fieldcrm-server audit` shows who registered a customer first, and a push that re-uses a change
// id with other content cannot rewrite what is on record.
#include "fieldcrm/server/audit.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

RunResult Audit(const std::string& server_db, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FIELDCRM_SERVER, "--db", ServerDb(server_db)};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

TEST_CASE("audit: who registered a customer first, every change, and the merge of a duplicate") {
  TempDir dir;
  std::string server_db = dir.File("server.db");
  TestServer server(server_db);
  // Head office's store answers histories over the whole log: it keeps the log indexed by record.
  CHECK(StoreDatabase(server.storage().store())
            .QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'log_by_record'") == 1);
  std::string token_wang = server.Token("王芳", "滨江一组");
  std::string token_li = server.Token("李强", "滨江一组");
  ManualEnv now(Env::Default().NowMillis());  // both tablets' clock
  auto wang = NewTablet(dir.File("wang.db"), "王芳", "滨江一组", now);
  auto li = NewTablet(dir.File("li.db"), "李强", "滨江一组", now);

  // Both register the same buyer offline; 王芳 first. 李强 syncs first all the same.
  std::string first = Customers(*wang).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  now.Advance(5);  // ids order by their millisecond first: make "first" unambiguous
  std::string second =
      Customers(*li).Add({{"name", "张伟"}, {"phone", "138 0013 8000"}, {"city", "杭州"}}).id;
  SyncWith(*li, server.url(), token_li);
  SyncWith(*wang, server.url(), token_wang);
  SyncWith(*li, server.url(), token_li);  // 李强 learns of the merge
  Customers(*li).Set(first, {{"stage", "intent"}});
  SyncWith(*li, server.url(), token_li);

  RunResult r = Audit(server_db, {"--json", "audit", second});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json history = json::parse(r.out);
  CHECK(history["customer"] == first);  // the earliest-created survives the merge
  CHECK(history["ids"].size() == 2);
  CHECK(history["registered"]["agent"] == "王芳");
  CHECK(history["registered"]["device"] == wang->device().id);
  CHECK(history["registered"]["record"] == first);
  CHECK_FALSE(history["registered"]["accepted_at"].get<std::string>().empty());

  bool saw_stage = false, saw_merge = false, saw_city = false;
  std::string last_accepted;
  for (const json& c : history["changes"]) {
    CAPTURE(c.dump());
    CHECK(c["accepted_at"] >= last_accepted);  // in the order the server took them
    last_accepted = c["accepted_at"];
    if (c["field"] == "stage" && c["value"] == "intent") {
      saw_stage = true;
      CHECK(c["agent"] == "李强");
      CHECK(c["device"] == li->device().id);
      CHECK(c["team"] == "滨江一组");
    }
    if (c["field"] == "city") saw_city = c["agent"] == "李强" && c["record"] == second;
    if (c["field"] == "_merged_into") saw_merge = c["record"] == second && c["value"] == first;
  }
  CHECK(saw_stage);
  CHECK(saw_city);
  CHECK(saw_merge);

  RunResult table = Audit(server_db, {"audit", first});
  REQUIRE_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("registered first by 王芳 on device " + wang->device().id) !=
        std::string::npos);
  CHECK(table.out.find("_merged_into") != std::string::npos);

  RunResult unknown = Audit(server_db, {"audit", "no-such-customer"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no customer 'no-such-customer'") != std::string::npos);
}

TEST_CASE("audit: a change id pushed again with other content does not rewrite history") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string token = server.Token("王芳", "滨江一组");
  auto tablet = NewTablet(dir.File("wang.db"), "王芳", "滨江一组");
  std::string id = Customers(*tablet).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  SyncWith(*tablet, server.url(), token);

  // A forged batch: the same (device, seq) as the registration, with another name.
  sync::PushRequest forged{tablet->device().id, {}};
  for (const auto& entry : tablet->ReadLog(0, 1000, true)) {
    Change c = entry.change;
    if (c.field == "name") c.value = json("李四").dump();
    forged.changes.push_back(c);
  }
  httplib::Client http{server.url()};
  auto res = http.Post(sync::kPushPath, {{"Authorization", "Bearer " + token}},
                       sync::ToJson(forged).dump(), "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  json ack = json::parse(res->body);
  REQUIRE(ack["refused"].size() == 1);
  CHECK(ack["refused"][0]["field"] == "name");

  json history = server.storage().History(id);
  for (const json& c : history["changes"]) {
    if (c["field"] == "name") CHECK(c["value"] == "张伟");
  }
  CHECK(StoreDatabase(server.storage().store())
            .QueryText("SELECT json_extract(doc, '$.name') FROM records WHERE id = ?", id) ==
        "张伟");
}

}  // namespace
}  // namespace fieldcrm::testing
