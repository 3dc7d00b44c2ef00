// Snapshot bootstrap (docs/sync-protocol.md): a new tablet installs its team's state at one server
// position instead of replaying the history, and ends exactly where a tablet that replayed it
// does: the same records, field values and stamps, and conflicts, after a history of duplicate
// merges, deletions, an erasure and concurrent edits, and again after further changes everywhere.
// An interrupted bootstrap resumes at the same position; a server without snapshots is replayed.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <sstream>

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/storage/store_database.h"
#include "fieldcrm/sync/protocol.h"
#include "tests/support/run.h"
#include "tests/support/state_dump.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

constexpr const char* kTeam = "滨江一组";
constexpr const char* kOtherTeam = "城东二组";

// Everything the merge decides by: field values with their stamps and bases, the records and
// facts made of them (StateDump), and the conflicts kept.
std::string MergedState(Store& store) {
  std::string out = StateDump(StoreDatabase(store));
  Statement& conflicts = StoreDatabase(store).Prepare(
      "SELECT record, field, loser_hlc, loser_device, COALESCE(loser_value, '-'), winner_hlc, "
      "winner_device, COALESCE(winner_value, '-') FROM conflicts ORDER BY 1, 2, 3, 4");
  while (conflicts.Step()) {
    out += "K";
    for (int col = 0; col < 8; ++col) out += " " + conflicts.Text(col);
    out += "\n";
  }
  conflicts.Reset();
  return out;
}

// The field states of the records `of` holds, as `store` has them.
std::string FieldStatesOf(Store& store, Store& of) {
  std::vector<std::string> records;
  Statement& ids = StoreDatabase(of).Prepare("SELECT DISTINCT record FROM field_state ORDER BY 1");
  while (ids.Step()) records.push_back(ids.Text(0));
  ids.Reset();
  std::string out;
  Statement& rows = StoreDatabase(store).Prepare(
      "SELECT field, COALESCE(value, '-'), hlc, device, base FROM field_state WHERE record = ? "
      "ORDER BY field");
  for (const std::string& record : records) {
    rows.Bind(record);
    while (rows.Step()) {
      out += record;
      for (int col = 0; col < 5; ++col) out += " " + rows.Text(col);
      out += "\n";
    }
    rows.Reset();
  }
  return out;
}

int64_t PullCursor(Store& store) {
  return std::stoll(store.GetMeta(sync::kPullCursorKey).value_or("0"));
}

sync::SyncOptions Replaying() {
  sync::SyncOptions options;
  options.snapshot = false;
  return options;
}

// Two tablets of the team and one of another team, each with its token, and a history that holds
// everything the merge keeps stamps of.
struct History {
  TempDir dir;
  TestServer server{dir.File("server.db")};
  std::unique_ptr<Store> a = NewTablet(dir.File("a.db"), "王芳", kTeam);
  std::unique_ptr<Store> b = NewTablet(dir.File("b.db"), "李强", kTeam);
  std::unique_ptr<Store> other = NewTablet(dir.File("other.db"), "赵六", kOtherTeam);
  std::string token_a = server.Token("王芳", kTeam);
  std::string token_b = server.Token("李强", kTeam);
  std::string token_other = server.Token("赵六", kOtherTeam);
  std::string zhang, chen, liu, sun, wang;

  void SyncAll() {
    for (int round = 0; round < 2; ++round) {
      SyncWith(*a, server.url(), token_a);
      SyncWith(*b, server.url(), token_b);
      SyncWith(*other, server.url(), token_other);
    }
  }

  History() {
    zhang = Customers(*a).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
    chen = Customers(*a).Add({{"name", "陈明"}, {"phone", "13600001111"}}).id;
    liu = Customers(*b).Add({{"name", "刘洋"}, {"phone", "13900002222"}}).id;
    Customers(*other).Add({{"name", "赵敏"}, {"phone", "13300003333"}});
    SyncAll();
    // Offline on both tablets: the same fields edited concurrently (conflicts), the same walk-in
    // registered twice (a duplicate merge), edits that later ones replace, a visit, a deletion.
    Customers(*a).Set(zhang, {{"stage", "intent"}, {"notes", "学区"}});
    Customers(*b).Set(zhang, {{"stage", "buyer"}, {"notes", "地铁"}, {"budget", "400万"}});
    sun = Customers(*a).Add({{"name", "孙丽"}, {"phone", "13700001111"}}).id;
    Customers(*b).Add({{"name", "孙丽"}, {"phone", "137 0000 1111"}, {"notes", "看过两次"}});
    for (const char* note : {"高楼层", "南向", "江景"}) Customers(*a).Set(chen, {{"notes", note}});
    Activities(*a).AddInteraction(zhang, {.note = "看了江景房"});
    Customers(*b).Delete(liu);
    wang = Customers(*b).Add({{"name", "王强"}, {"phone", "13500002222"}}).id;
    SyncAll();
    // A merge by hand, then head office erases a customer.
    Customers(*a).Merge(zhang, wang);
    SyncAll();
    server.storage().Erase({chen}, "asked to be forgotten", "法务");
    SyncAll();
  }
};

TEST_CASE("a tablet bootstrapped from a snapshot ends where one that replayed the history does") {
  History h;
  auto snap = NewTablet(h.dir.File("snap.db"), "周七", kTeam);
  auto replay = NewTablet(h.dir.File("replay.db"), "吴八", kTeam);
  std::string token_snap = h.server.Token("周七", kTeam);
  std::string token_replay = h.server.Token("吴八", kTeam);

  sync::SyncReport booted = SyncWith(*snap, h.server.url(), token_snap);
  sync::SyncReport replayed = SyncWith(*replay, h.server.url(), token_replay, Replaying());
  CHECK(booted.snapshot_at > 0);
  CHECK(booted.snapshot_fallback.empty());
  CHECK(replayed.snapshot_at == 0);
  CHECK(PullCursor(*snap) == PullCursor(*replay));
  // The replaced edits stayed behind: the snapshot carried each field's winner alone.
  CHECK(LogCount(*snap) < LogCount(*replay));
  CHECK(booted.received < replayed.received);
  CHECK(snap->ConflictCount() > 0);
  CHECK(snap->ErasureCount() == 1);
  CHECK(MergedState(*snap) == MergedState(*replay));
  CHECK(Customers(*snap).FindByPhone("13300003333") == std::nullopt);  // the other team's
  CHECK(Customers(*snap).FindByPhone("13700001111").value()["notes"] == "看过两次");

  // Afterwards, changes everywhere: concurrent edits of one field on the snapshot tablet and a
  // colleague's, the same walk-in on both new tablets, another erasure, the other team's work.
  Customers(*snap).Set(h.zhang, {{"stage", "owner"}, {"notes", "签约在即"}});
  Customers(*h.b).Set(h.zhang, {{"stage", "prospect"}});
  Customers(*replay).Set(h.sun, {{"budget", "300万"}});
  Customers(*snap).Add({{"name", "钱进"}, {"phone", "13100004444"}});
  Customers(*replay).Add({{"name", "钱进"}, {"phone", "131 0000 4444"}});
  Activities(*snap).AddInteraction(h.sun, {.note = "带看"});
  Customers(*h.other).Add({{"name", "冯云"}, {"phone", "13200005555"}});
  sync::SyncReport pushed = SyncWith(*snap, h.server.url(), token_snap);
  CHECK(pushed.sent > 0);
  CHECK(pushed.refused.empty());
  h.server.storage().Erase({h.sun}, "asked to be forgotten", "法务");
  for (int round = 0; round < 3; ++round) {
    SyncWith(*snap, h.server.url(), token_snap);
    SyncWith(*replay, h.server.url(), token_replay, Replaying());
    h.SyncAll();
  }
  CHECK(sync::PendingChanges(*snap) == 0);
  CHECK(MergedState(*snap) == MergedState(*replay));
  CHECK(snap->ErasureCount() == 2);
  CHECK(Customers(*snap).FindByPhone("13100004444").has_value());
  // And the snapshot tablet's pushes merged on the server as they did on it.
  h.server.storage().CatchUp();
  CHECK(FieldStatesOf(h.server.storage().store(), *snap) == FieldStatesOf(*snap, *snap));
}

TEST_CASE("an interrupted bootstrap resumes at the same position, whatever the log did since") {
  History h;
  auto snap = NewTablet(h.dir.File("snap.db"), "周七", kTeam);
  std::string token = h.server.Token("周七", kTeam);
  sync::SyncOptions small;
  small.batch = 2;
  {
    // The health check and three pages get through (the answer of the fourth request is lost).
    auto real = sync::MakeHttpTransport(h.server.url(), token);
    LossyTransport lossy(*real, 4, /*lose_answer=*/true);
    CHECK_THROWS_AS(sync::SyncClient(*snap, lossy, small).Run(), sync::NetworkError);
  }
  std::optional<std::string> unfinished = snap->GetMeta(sync::kSnapshotKey);
  REQUIRE(unfinished.has_value());
  int64_t at = 0, next = 0;
  std::istringstream(*unfinished) >> at >> next;
  CHECK(at > 0);
  CHECK(next > 0);
  CHECK(PullCursor(*snap) == 0);  // set only with the last page
  CHECK(LogCount(*snap) > 0);

  // Meanwhile the team replaces values the snapshot holds and registers more.
  Customers(*h.a).Set(h.zhang, {{"notes", "换了学区"}, {"stage", "owner"}});
  Customers(*h.b).Add({{"name", "郑和"}, {"phone", "13000006666"}});
  h.SyncAll();

  sync::SyncReport resumed = SyncWith(*snap, h.server.url(), token, small);
  CHECK(resumed.snapshot_at == at);  // the same snapshot, then the pull from its position
  CHECK(snap->GetMeta(sync::kSnapshotKey) == std::nullopt);
  auto replay = NewTablet(h.dir.File("replay.db"), "吴八", kTeam);
  SyncWith(*replay, h.server.url(), h.server.Token("吴八", kTeam), Replaying());
  CHECK(PullCursor(*snap) == PullCursor(*replay));
  CHECK(MergedState(*snap) == MergedState(*replay));
  CHECK(Customers(*snap).Get(h.zhang)["notes"] == "换了学区");

  // sync --full takes a new snapshot, which changes nothing here.
  std::string before = MergedState(*snap);
  sync::SyncOptions full;
  full.full = true;
  sync::SyncReport again = SyncWith(*snap, h.server.url(), token, full);
  CHECK(again.snapshot_at >= resumed.snapshot_at);
  CHECK(again.received == 0);
  CHECK(MergedState(*snap) == before);
}

TEST_CASE("a snapshot position the server never reached starts a new snapshot from the top") {
  History h;
  h.server.storage().CatchUp();
  int64_t head = h.server.storage().store().LogHead();
  sync::Principal who{"", "周七", kTeam, sync::Role::kAgent};
  auto never = [] { return false; };
  sync::SnapshotPage first = h.server.storage().Snapshot(who, {"new-device", 0, 0, 5}, never);
  CHECK(first.at == head);
  CHECK(first.more);
  // A store restored from an older backup would be asked for a position beyond its log.
  sync::SnapshotPage restarted =
      h.server.storage().Snapshot(who, {"new-device", head + 100, head + 50, 5}, never);
  CHECK(restarted.at == head);
  CHECK(restarted.changes == first.changes);
  CHECK(restarted.next == first.next);
}

// An older server has no POST /v1/sync/snapshot: the real server asked for a path it lacks
// answers exactly as such a server does (404, the body refused unread).
class WithoutSnapshots : public sync::Transport {
 public:
  explicit WithoutSnapshots(sync::Transport& real) : real_(real) {}
  sync::HttpReply Get(const std::string& path) override { return real_.Get(path); }
  sync::HttpReply Post(const std::string& path, const nlohmann::json& body) override {
    return real_.Post(path == sync::kSnapshotPath ? "/v1/sync/snapshot-unknown-here" : path, body);
  }
  void CompressRequests(bool on) override { real_.CompressRequests(on); }
  void Cancel() override { real_.Cancel(); }

 private:
  sync::Transport& real_;
};

TEST_CASE("a server without snapshots is replayed, and says what to upgrade") {
  History h;
  auto tablet = NewTablet(h.dir.File("new.db"), "周七", kTeam);
  std::string token = h.server.Token("周七", kTeam);
  auto real = sync::MakeHttpTransport(h.server.url(), token);
  WithoutSnapshots old_server(*real);
  sync::SyncReport report = sync::SyncClient(*tablet, old_server).Run();
  CHECK(report.snapshot_at == 0);
  CHECK(report.snapshot_fallback.find("upgrade fieldcrm-server") != std::string::npos);
  auto replay = NewTablet(h.dir.File("replay.db"), "吴八", kTeam);
  SyncWith(*replay, h.server.url(), h.server.Token("吴八", kTeam), Replaying());
  CHECK(LogCount(*tablet) == LogCount(*replay));
  CHECK(MergedState(*tablet) == MergedState(*replay));
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The position `fieldcrm --json sync` says it installed a snapshot at (0: none).
int64_t SnapshotPositionIn(const RunResult& sync) {
  return nlohmann::json::parse(sync.out).at("snapshot_at").get<int64_t>();
}

TEST_CASE("fieldcrm init + sync take a snapshot from fieldcrm-server; kill -9 midway resumes it") {
  TempDir dir;
  std::string server_db = dir.File("server.db");
  {
    // 1,500 customers, each registered and then edited twice: 4,500 of the entries are replaced.
    auto field = NewTablet(dir.File("field.db"), "王芳", kTeam);
    Transaction txn(StoreDatabase(*field));
    for (int i = 0; i < 1500; ++i) {
      std::string id = Customers(*field)
                           .Add({{"name", "客户" + std::to_string(i)},
                                 {"phone", std::to_string(13900000000 + i)}})
                           .id;
      Customers(*field).Set(id, {{"stage", "intent"}, {"notes", "第一次"}});
      Customers(*field).Set(id, {{"stage", "buyer"}, {"notes", "第二次"}});
    }
    txn.Commit();
    TestServer seeding(server_db);
    SyncWith(*field, seeding.url(), seeding.Token("王芳", kTeam));
  }
  RunResult token = Server(server_db, {"token", "create", "--agent", "周七", "--team", kTeam});
  REQUIRE(token.exit_code == 0);
  ServerProcess server(server_db, dir.File("server.log"));
  std::string tablet_db = dir.File("new.db");
  REQUIRE(Cli(tablet_db, {"init", "--device", "new-tablet", "--agent", "周七", "--team", kTeam})
              .exit_code == 0);
  pid_t sync = Spawn({FIELDCRM_CLI, "--db", tablet_db, "sync", "--server", server.url(), "--token",
                      Line(token.out), "--batch", "40"},
                     "/dev/null", dir.File("sync.out"), dir.File("sync.err"));
  WaitForText(dir.File("sync.err"), "received ");
  kill(sync, SIGKILL);
  CHECK(WaitExit(sync) == 128 + SIGKILL);
  int64_t at = 0;
  {
    auto killed = OpenCustomerStore(tablet_db);
    std::optional<std::string> unfinished = killed->GetMeta(sync::kSnapshotKey);
    REQUIRE(unfinished.has_value());
    std::istringstream(*unfinished) >> at;
  }

  RunResult resumed = Cli(tablet_db, {"--json", "sync"});
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  CHECK(SnapshotPositionIn(resumed) == at);
  auto tablet = OpenCustomerStore(tablet_db);
  CHECK(Customers(*tablet).List({}).size() == 1500);
  auto replay = NewTablet(dir.File("replay.db"), "吴八", kTeam);
  RunResult replay_token =
      Server(server_db, {"token", "create", "--agent", "吴八", "--team", kTeam});
  SyncWith(*replay, server.url(), Line(replay_token.out), Replaying());
  // The first edit of each customer's stage and notes was replaced: it stayed on the server.
  CHECK(LogCount(*tablet) <= LogCount(*replay) - 1500 * 2);
  CHECK(MergedState(*tablet) == MergedState(*replay));

  // sync --full takes a new snapshot of the same state: nothing new arrives.
  tablet.reset();
  RunResult full = Cli(tablet_db, {"--json", "sync", "--full"});
  REQUIRE_MESSAGE(full.exit_code == 0, full.err);
  CHECK(SnapshotPositionIn(full) >= at);
  CHECK(nlohmann::json::parse(full.out)["received"] == 0);
  tablet = OpenCustomerStore(tablet_db);
  CHECK(MergedState(*tablet) == MergedState(*replay));
}

}  // namespace
}  // namespace fieldcrm::testing
