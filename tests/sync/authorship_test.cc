// Authorship the server vouches for, with real `fieldcrm` tablets and two agents' tokens of one
// team: an agent's push may credit a record (its `agent` field: first registrant, deal agent,
// who visited) only to the token's own agent, and only a record not credited to a colleague;
// head office may credit anyone. What the server holds, and so its reports and audit trail,
// names only agents the tokens vouched for.
#include <doctest/doctest.h>

#include "fieldcrm/model/live_records.h"
#include "fieldcrm/projections/customer_store.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

std::string Init(const std::string& db, const std::string& agent) {
  RunResult r =
      Cli(db, {"init", "--device", "tab-" + agent, "--agent", agent, "--team", "滨江一组"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return db;
}

std::string Add(const std::string& db, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"customer", "add"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = Cli(db, args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return Line(r.out);
}

json OnServer(TestServer& server, const std::string& id, const std::string& kind) {
  return LiveRecord(server.storage().store(), id, kind).value_or(json());
}

TEST_CASE("an agent's token credits records only to its own agent; head office to anyone") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string token_wang = server.Token("王芳", "滨江一组");
  std::string token_li = server.Token("李强", "滨江一组");
  std::string token_office = server.Token("总部", "总部", sync::Role::kOffice);
  std::string wang = Init(dir.File("wang.db"), "王芳");
  std::string li = Init(dir.File("li.db"), "李强");
  std::string office = Init(dir.File("office.db"), "总部");

  // 王芳 registers one buyer as herself, and one in her colleague's name.
  std::string own = Add(wang, {"--name", "张伟", "--phone", "13800138000"});
  std::string forged =
      Add(wang, {"--name", "赵敏", "--phone", "13800138001", "--set", "agent=李强"});
  RunResult sync = Cli(wang, {"sync", "--server", server.url(), "--token", token_wang});
  CHECK_MESSAGE(sync.exit_code == 0, sync.err);
  CHECK(sync.out.find("refused 1") != std::string::npos);
  CHECK_MESSAGE(
      sync.err.find("refused 1 change of record " + forged + ": field 'agent' of customer " +
                    forged + " must name this token's agent 王芳") != std::string::npos,
      sync.err);
  CHECK(OnServer(server, own, "customer")["agent"] == "王芳");
  json forged_doc = OnServer(server, forged, "customer");
  CHECK(forged_doc["name"] == "赵敏");  // the rest of the registration was accepted
  CHECK_FALSE(forged_doc.contains("agent"));

  // 李强 receives 王芳's buyer and tries to take the credit, and adds a deal as himself.
  REQUIRE(Cli(li, {"sync", "--server", server.url(), "--token", token_li}).exit_code == 0);
  REQUIRE(Cli(li, {"customer", "set", own, "agent=李强", "stage=intent"}).exit_code == 0);
  RunResult deal = Cli(li, {"deal", "add", own, "--unit", "3-1201", "--price", "3200000"});
  REQUIRE_MESSAGE(deal.exit_code == 0, deal.err);
  std::string deal_id = Line(deal.out);
  sync = Cli(li, {"sync"});
  CHECK_MESSAGE(sync.exit_code == 0, sync.err);
  CHECK_MESSAGE(sync.err.find("the record is credited to 王芳; only head office may credit it to "
                              "李强") != std::string::npos,
                sync.err);
  json buyer = OnServer(server, own, "customer");
  CHECK(buyer["agent"] == "王芳");
  CHECK(buyer["stage"] == "intent");  // his other edit of the same customer stands
  CHECK(OnServer(server, deal_id, "deal")["agent"] == "李强");

  // Head office may credit anyone, and then the credited agent may write it again.
  REQUIRE(Cli(office, {"sync", "--server", server.url(), "--token", token_office}).exit_code == 0);
  REQUIRE(Cli(office, {"customer", "set", forged, "agent=李强"}).exit_code == 0);
  sync = Cli(office, {"sync"});
  CHECK_MESSAGE(sync.out.find("refused 0") != std::string::npos, (sync.out + sync.err));
  CHECK(OnServer(server, forged, "customer")["agent"] == "李强");

  // The audit trail names the token's agent as the registrant, whatever the record said.
  RunResult audit =
      Run({FIELDCRM_SERVER, "--db", ServerDb(dir.File("server.db")), "--json", "audit", forged});
  REQUIRE_MESSAGE(audit.exit_code == 0, audit.err);
  CHECK(json::parse(audit.out)["registered"]["agent"] == "王芳");
}

}  // namespace
}  // namespace fieldcrm::testing
