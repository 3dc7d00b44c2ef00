// Erasing a customer for good (docs/privacy.md), end to end with real processes: fieldcrm-server
// serving, `fieldcrm-server erase` run beside it, tablets as `fieldcrm` processes on their own
// store files. After the erasure and the syncs, no file of any store (server or tablet, WAL
// included) holds the erased name, phone or notes, nor those of a walk-in erased by phone (logged
// at reception before and after being registered); a tablet that was offline with its own edits
// of the customer, and a stale copy of it re-sending old changes, resurrect nothing; every
// replica ends in the same state; the audit trail says who erased whom and why.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fieldcrm/model/customers.h"
#include "fieldcrm/projections/customer_store.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

constexpr const char* kName = "鲁智深";
constexpr const char* kPhoneStored = "+8613912345678";
constexpr const char* kNote = "SECRET-NOTE-7731";
// A walk-in: first logged at reception without a name, then registered on a second visit; and a
// visitor who only ever gave their phone.
constexpr const char* kWalkInName = "孙二娘";
constexpr const char* kWalkInPhoneStored = "+8613955556666";
constexpr const char* kVisitorPhoneStored = "+8613977778888";

const std::vector<const char*> kPersonTexts = {kName, kPhoneStored, kNote};
const std::vector<const char*> kAllTexts = {kName,       kPhoneStored,       kNote,
                                            kWalkInName, kWalkInPhoneStored, kVisitorPhoneStored};

// The erased texts found in the store's files (database, WAL, shared memory index).
std::vector<std::string> ErasedBytesIn(const std::string& db,
                                       const std::vector<const char*>& texts = kAllTexts) {
  std::vector<std::string> found;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::ifstream in(db + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const char* text : texts) {
      if (bytes.find(text) != std::string::npos) found.push_back(db + suffix + ": " + text);
    }
  }
  return found;
}

RunResult Ok(RunResult r) {
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r;
}

TEST_CASE("erasure: gone from every store and log, offline tablets included; replicas converge") {
  TempDir dir;
  std::string hq = dir.File("server.db");
  std::string token_a =
      Line(Ok(Server(hq, {"token", "create", "--agent", "王芳", "--team", "A"})).out);
  std::string token_b =
      Line(Ok(Server(hq, {"token", "create", "--agent", "李强", "--team", "A"})).out);
  std::string token_r =
      Line(Ok(Server(hq, {"token", "create", "--agent", "前台", "--team", "A", "--role", "leader"}))
               .out);
  ServerProcess server(hq, dir.File("server.log"));
  std::string a = dir.File("a.db"), b = dir.File("b.db"), stale = dir.File("b-stale.db");
  std::string r = dir.File("reception.db");
  Ok(Cli(a, {"init", "--device", "booth-a", "--agent", "王芳", "--team", "A"}));
  Ok(Cli(b, {"init", "--device", "booth-b", "--agent", "李强", "--team", "A"}));
  Ok(Cli(a, {"sync", "--server", server.url(), "--token", token_a}));
  Ok(Cli(b, {"sync", "--server", server.url(), "--token", token_b}));

  // The person, their visit and follow-up, and a same-field conflict between the two tablets.
  std::string person =
      Line(Ok(Cli(a, {"customer", "add", "--name", kName, "--phone", "139 1234 5678", "--set",
                      std::string("notes=") + kNote + "-1"}))
               .out);
  Ok(Cli(a, {"visit", "add", person, "--note", std::string(kNote) + "-visit"}));
  Ok(Cli(a, {"followup", "add", person, "--due", "2027-01-10", "--note",
             std::string(kNote) + "-task"}));
  std::string other =
      Line(Ok(Cli(a, {"customer", "add", "--name", "林冲", "--phone", "13800001111"})).out);
  Ok(Cli(a, {"sync"}));
  Ok(Cli(b, {"sync"}));
  // The sales office's reception tablet: the person walks in again (a returning customer); a
  // visitor gives only their phone, then comes back and is registered (both walk-ins link the new
  // customer); another only ever gives their phone.
  Ok(Cli(r, {"init", "--device", "front-desk", "--agent", "前台", "--team", "A"}));
  Ok(Cli(r, {"sync", "--server", server.url(), "--token", token_r}));
  auto reception = [&](const std::string& time, std::vector<std::string> args) {
    args.insert(args.begin(), {"--as-of=2026-06-15T" + time + "+08:00", "reception"});
    return Ok(Cli(r, args));
  };
  reception("09:00", {"duty", "王芳", "李强"});
  reception("09:10", {"walkin", "--phone", "13912345678"});
  reception("09:20", {"walkin", "--phone", "139 5555 6666"});
  reception("09:25", {"walkin", "--phone", "139 7777 8888"});
  reception("09:30", {"done", "李强"});
  reception("11:00", {"walkin", "--phone", "139 5555 6666", "--name", kWalkInName});
  RunResult sync_r = Ok(Cli(r, {"sync"}));
  REQUIRE_MESSAGE(sync_r.out.find("refused 0") != std::string::npos, sync_r.err);
  Ok(Cli(a, {"customer", "set", person, std::string("notes=") + kNote + "-a"}));
  Ok(Cli(b, {"customer", "set", person, std::string("notes=") + kNote + "-b"}));
  Ok(Cli(a, {"sync"}));
  Ok(Cli(b, {"sync"}));
  Ok(Cli(a, {"sync"}));
  REQUIRE(json::parse(Ok(Cli(b, {"--json", "status"})).out)["conflicts"] == 1);

  // B goes offline and keeps working on the person; a copy of B's store is kept (a restored
  // backup, say) that will later re-send B's old changes.
  Ok(Cli(b, {"customer", "set", person, std::string("notes=") + kNote + "-offline"}));
  Ok(Cli(b, {"visit", "add", person, "--note", std::string(kNote) + "-offline-visit"}));
  std::filesystem::copy_file(b, stale);

  // Head office erases the person while the server serves.
  RunResult erased = Ok(
      Server(hq, {"erase", person, "--reason", "PIPL deletion request 17", "--by", "法务部 陈"}));
  // The customer, the visit, the follow-up and the walk-in; and the conflict the server kept.
  CHECK_MESSAGE(erased.out.find("erased customer " + person + ": 4 records") != std::string::npos,
                erased.out);
  CHECK(erased.out.find(", 1 conflicts removed") != std::string::npos);
  CHECK(erased.out.find("erased 1 customer; tablets erase them at their next sync") !=
        std::string::npos);
  CHECK(erased.err.empty());
  CHECK(ErasedBytesIn(hq, kPersonTexts).empty());

  RunResult sync_a = Ok(Cli(a, {"sync"}));
  CHECK_MESSAGE(sync_a.out.find(", customers erased 1") != std::string::npos, sync_a.out);
  RunResult status_a = Ok(Cli(a, {"status"}));
  CHECK(status_a.out.find("erasures:      1 customers erased by head office") != std::string::npos);
  CHECK(Cli(a, {"customer", "get", person}).exit_code == 1);
  // B comes back: its offline edits are erased on arrival at the server, the erasure at B.
  RunResult sync_b = Ok(Cli(b, {"sync"}));
  CHECK(sync_b.out.find(", customers erased 1") != std::string::npos);
  CHECK(sync_b.out.find("refused 0") != std::string::npos);
  // The stale copy re-sends B's changes, original values and all: they are the same changes the
  // server holds erased, and the copy erases them in turn.
  RunResult sync_stale = Ok(Cli(stale, {"sync"}));
  CHECK(sync_stale.out.find("refused 0") != std::string::npos);

  // By phone: the customer registered on the second visit with both visits' records, and the
  // other visitor's record, logged under no customer.
  RunResult by_phone =
      Ok(Server(hq, {"erase", "--phone", "139-5555-6666", "--phone", "13977778888", "--reason",
                     "PIPL deletion request 18", "--by", "法务部 陈"}));
  CHECK_MESSAGE(by_phone.out.find(": 3 records") != std::string::npos, by_phone.out);
  CHECK(by_phone.out.find("erased reception ") != std::string::npos);
  CHECK(by_phone.out.find("erased 1 customer and 1 record;") != std::string::npos);
  for (const char* phone : {"139-5555-6666", "13977778888"}) {
    CHECK(Server(hq, {"erase", "--phone", phone, "--reason", "again"}).exit_code == 1);
  }
  for (const std::string& db : {a, b, stale, r}) Ok(Cli(db, {"sync"}));
  // The reception log forgets both people; the duty list stays.
  json log =
      json::parse(Ok(Cli(r, {"--json", "--as-of=2026-06-15T18:00+08:00", "reception", "log"})).out);
  CHECK(log["totals"]["walk_ins"] == 0);

  for (const std::string& db : {hq, a, b, stale, r}) {
    CAPTURE(db);
    CHECK(ErasedBytesIn(db) == std::vector<std::string>{});
  }
  for (const std::string& db : {a, b, stale}) {
    CHECK(json::parse(Ok(Cli(db, {"--json", "status"})).out)["conflicts"] == 0);
  }
  RunResult list = Ok(Cli(a, {"--json", "customer", "list"}));
  CHECK(list.out.find(other) != std::string::npos);
  CHECK(list.out.find(person) == std::string::npos);

  // The audit trail: who, when, which id, why, and nothing of the person.
  json trail = json::parse(Ok(Server(hq, {"--json", "erasures"})).out);
  REQUIRE(trail.size() == 3);
  json first;
  for (const json& entry : trail) {
    if (entry["customer"] == person) first = entry;
    CHECK(entry["erased_by"] == "法务部 陈");
  }
  REQUIRE(first.is_object());
  CHECK(first["kind"] == "customer");
  CHECK(first["reason"] == "PIPL deletion request 17");
  CHECK_FALSE(first["erased_at"].get<std::string>().empty());
  std::string history = Ok(Server(hq, {"--json", "audit", person})).out;
  CHECK(history.find(kNote) == std::string::npos);
  CHECK(history.find(kName) == std::string::npos);

  // Every replica converged, the offline tablet and the stale copy included.
  std::string expected = CanonicalDump(*OpenCustomerStore(hq));
  for (const std::string& db : {a, b, stale, r}) {
    CAPTURE(db);
    CHECK(CanonicalDump(*OpenCustomerStore(db)) == expected);
  }
}

TEST_CASE("erase: bulk from a file, all or nothing; bad input exits non-zero") {
  TempDir dir;
  std::string hq = dir.File("server.db");
  std::string token =
      Line(Ok(Server(hq, {"token", "create", "--agent", "王芳", "--team", "A"})).out);
  std::string tablet = dir.File("t.db");
  Ok(Cli(tablet, {"init", "--device", "booth", "--agent", "王芳", "--team", "A"}));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Line(Ok(Cli(tablet, {"customer", "add", "--name", "测试" + std::to_string(i),
                                       "--phone", "1380000000" + std::to_string(i)}))
                           .out));
  }
  {
    ServerProcess server(hq, dir.File("server.log"));
    Ok(Cli(tablet, {"sync", "--server", server.url(), "--token", token}));
  }
  std::string list = dir.File("ids.txt");
  std::ofstream(list) << "# test records from the launch event\n"
                      << ids[0] << "\n\n"
                      << ids[1] << "\nno-such-customer\n";
  RunResult refused = Server(hq, {"erase", "--from-file", list, "--reason", "test data"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("no customer 'no-such-customer'") != std::string::npos);
  CHECK(json::parse(Ok(Server(hq, {"--json", "erasures"})).out).empty());  // nothing erased

  std::ofstream(list) << "# test records from the launch event\n"
                      << ids[0] << "\n\n"
                      << ids[1] << "\n";
  json done = json::parse(Ok(Server(hq, {"--json", "erase", "--from-file", list, ids[1], "--reason",
                                         "test data", "--by", "ops"}))
                              .out);
  REQUIRE(done["erased"].size() == 3);
  CHECK(done["erased"][2]["already_erased"] == true);  // named twice: erased once
  CHECK(done["wal_emptied"] == true);
  CHECK(json::parse(Ok(Server(hq, {"--json", "erasures"})).out).size() == 2);

  CHECK(Server(hq, {"erase", ids[2]}).exit_code == 2);  // --reason is required
  CHECK(Server(hq, {"erase", "--reason", "x"}).exit_code == 1);
  CHECK(Server(hq, {"erase", "--from-file", dir.File("missing.txt"), "--reason", "x"}).exit_code ==
        1);
}

TEST_CASE("erase: an erasure pushed with an agent's token is refused") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::string token = server.Token("王芳", "A");
  auto tablet = NewTablet(dir.File("t.db"), "王芳", "A");
  std::string person = Customers(*tablet).Add({{"name", kName}, {"phone", "13912345678"}}).id;
  SyncWith(*tablet, server.url(), token);
  tablet->Erase(person);  // core's operation, called where no command offers it
  sync::SyncReport report = SyncWith(*tablet, server.url(), token);
  REQUIRE(report.refused.size() == 1);
  CHECK(report.refused[0].reason == "only head office may erase a customer");
  CHECK(Customers(server.storage().store()).Get(person)["name"] == kName);
}

}  // namespace
}  // namespace fieldcrm::testing
