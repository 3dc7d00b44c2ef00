// Three tablets and a server: random offline edits, synced in random orders, some syncs repeated
// and some cut off, end with identical state on every replica.
#include <doctest/doctest.h>

#include <random>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/support/temp_dir.h"
#include "tests/sync/sync_support.h"

namespace fieldcrm::testing {
namespace {

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& items) {
  return items[rng() % items.size()];
}

// Few phone numbers, so the same person is registered on several tablets.
std::string Phone(std::mt19937& rng) {
  return "1380013800" + std::to_string(rng() % 10);
}

void RandomEdit(Store& store, std::mt19937& rng) {
  static const std::vector<std::string> kNames = {"张伟", "王芳", "李娜", "刘洋", "陈静"};
  static const std::vector<std::string> kNotes = {"学区", "地铁", "高楼层", "南向"};
  Customers customers(store);
  Activities activities(store);
  std::vector<std::string> ids;
  for (const auto& doc : customers.List({})) ids.push_back(doc["id"]);
  int op = static_cast<int>(rng() % 100);
  try {
    if (op < 30 || ids.empty()) {
      customers.Add({{"name", Pick(rng, kNames)}, {"phone", Phone(rng)}});
    } else if (op < 45) {
      customers.Set(Pick(rng, ids), {{"stage", Pick(rng, kStages)}});
    } else if (op < 60) {
      customers.Set(Pick(rng, ids), {{"notes", Pick(rng, kNotes)},
                                     {"budget", std::to_string(rng() % 900 + 100) + "万"}});
    } else if (op < 66) {
      customers.Delete(Pick(rng, ids));
    } else if (op < 74) {
      customers.Merge(Pick(rng, ids), Pick(rng, ids));
    } else if (op < 90) {
      activities.AddInteraction(Pick(rng, ids), {.type = "visit",
                                                 .at_ms = {},
                                                 .note = Pick(rng, kNotes),
                                                 .channel = {},
                                                 .outcome = {},
                                                 .minutes = {}});
    } else {
      activities.AddTask(Pick(rng, ids), Env::Default().NowMillis() + 86400000, Pick(rng, kNotes));
    }
  } catch (const InvalidInput&) {  // e.g. merging a customer with itself: nothing written
  } catch (const NotFound&) {
  }
}

struct Tablet {
  std::unique_ptr<Store> store;
  std::string token;
  // Its first sync replays the history rather than installing a snapshot (as a tablet of the
  // version before snapshots does).
  bool replays = false;
  sync::SyncOptions Options() const {
    sync::SyncOptions options;
    options.snapshot = !replays;
    return options;
  }
};

// A sync that may be repeated or cut off after a few messages (request or answer lost).
void RandomSync(Tablet& tablet, const std::string& url, std::mt19937& rng) {
  sync::SyncOptions options = tablet.Options();
  options.batch = static_cast<int64_t>(rng() % 20 + 2);
  int mode = static_cast<int>(rng() % 4);
  if (mode >= 2) {
    auto real = sync::MakeHttpTransport(url, tablet.token);
    LossyTransport lossy(*real, static_cast<int>(rng() % 5), mode == 3);
    try {
      sync::SyncClient(*tablet.store, lossy, options).Run();
    } catch (const sync::NetworkError&) {  // cut off: the next sync resumes
    }
    return;
  }
  for (int i = 0; i <= mode; ++i) {
    sync::SyncReport report = SyncWith(*tablet.store, url, tablet.token, options);
    CHECK(report.refused.empty());
  }
}

void RunScenario(unsigned seed) {
  CAPTURE(seed);
  std::mt19937 rng(seed);
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::vector<Tablet> tablets;
  for (const char* agent : {"wang", "li", "zhao"}) {
    tablets.push_back({NewTablet(dir.File(std::string(agent) + ".db"), agent, "滨江一组"),
                       server.Token(agent, "滨江一组"), std::string(agent) == "zhao"});
  }
  for (int step = 0; step < 60; ++step) {
    Tablet& tablet = tablets[rng() % tablets.size()];
    if (rng() % 3 != 0) {
      for (int i = rng() % 4; i >= 0; --i) RandomEdit(*tablet.store, rng);
    } else {
      RandomSync(tablet, server.url(), rng);
    }
  }
  // Sync everyone until a whole round moves nothing.
  bool quiet = false;
  for (int round = 0; round < 8 && !quiet; ++round) {
    quiet = true;
    for (Tablet& tablet : tablets) {
      sync::SyncReport report =
          SyncWith(*tablet.store, server.url(), tablet.token, tablet.Options());
      quiet = quiet && report.sent == 0 && report.received == 0;
    }
  }
  REQUIRE(quiet);
  Store& reference = server.storage().store();
  CHECK(Customers(reference).List({}).size() > 0);
  for (Tablet& tablet : tablets) {
    CHECK(CanonicalDump(*tablet.store) == CanonicalDump(reference));
    CHECK(WinnersMissing(*tablet.store, reference) == 0);
    if (tablet.replays) {
      CHECK(LogCount(*tablet.store) == LogCount(reference));
    } else {
      CHECK(LogCount(*tablet.store) <= LogCount(reference));
    }
    CHECK(sync::PendingChanges(*tablet.store) == 0);
  }
}

TEST_CASE("three tablets converge whatever the order, repetition and interruption of syncs") {
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u, 6u}) RunScenario(seed);
}

TEST_CASE("a duplicate and concurrent edits end the same on every replica") {
  TempDir dir;
  TestServer server(dir.File("server.db"));
  std::vector<Tablet> tablets;
  tablets.push_back({NewTablet(dir.File("a.db"), "wang", "A"), server.Token("wang", "A")});
  tablets.push_back({NewTablet(dir.File("b.db"), "li", "A"), server.Token("li", "A")});
  tablets.push_back(
      {NewTablet(dir.File("hq.db"), "hq", ""), server.Token("hq", "", sync::Role::kOffice)});
  Store& a = *tablets[0].store;
  Store& b = *tablets[1].store;
  auto sync_all = [&] {
    for (int round = 0; round < 2; ++round) {
      for (Tablet& t : tablets) SyncWith(*t.store, server.url(), t.token);
    }
  };
  std::string zhang = Customers(a).Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  sync_all();
  // Offline: different fields, the same field, and the same walk-in on both tablets.
  Customers(a).Set(zhang, {{"notes", "学区"}, {"stage", "intent"}});
  Customers(b).Set(zhang, {{"budget", "400万"}, {"stage", "buyer"}});
  std::string chen_a = Customers(a).Add({{"name", "陈明"}, {"phone", "13600001111"}}).id;
  std::string chen_b = Customers(b).Add({{"name", "陈明"}, {"phone", "136 0000 1111"}}).id;
  sync_all();

  std::string reference = CanonicalDump(server.storage().store());
  nlohmann::json stage = Customers(server.storage().store()).Get(zhang)["stage"];
  CHECK((stage == "intent" || stage == "buyer"));
  for (Tablet& t : tablets) {
    Customers customers(*t.store);
    nlohmann::json doc = customers.Get(zhang);
    CHECK(doc["notes"] == "学区");
    CHECK(doc["budget"] == 4000000);
    CHECK(doc["stage"] == stage);
    CHECK(StoreDatabase(*t.store).QueryInt(
              "SELECT count(*) FROM conflicts WHERE field = 'stage'") == 1);
    CHECK(customers.FindByPhone("13600001111").value()["id"] == std::min(chen_a, chen_b));
    CHECK(customers.List({}).size() == 2);
    CHECK(CanonicalDump(*t.store) == reference);
  }
}

TEST_CASE("what is left to push stays exact across compaction and a move to another server") {
  TempDir dir;
  TestServer first(dir.File("first.db"));
  auto tablet = NewTablet(dir.File("tablet.db"), "王芳", "滨江一组");
  Customers customers(*tablet);
  std::string id = customers.Add({{"name", "张伟"}, {"phone", "13800138000"}}).id;
  for (const char* note : {"学区", "地铁", "高楼层"}) customers.Set(id, {{"notes", note}});
  CHECK(sync::PendingChanges(*tablet) == LogCount(*tablet, tablet->device().id));
  SyncWith(*tablet, first.url(), first.Token("王芳", "滨江一组"));
  CHECK(sync::PendingChanges(*tablet) == 0);

  // Compaction drops the superseded notes the server already holds; two new writes wait.
  int64_t pushed = std::stoll(tablet->GetMeta(sync::kPushCursorKey).value_or("0"));
  CHECK(tablet->Compact(pushed).removed > 0);
  customers.Set(id, {{"notes", "南向"}, {"name", "张伟伟"}});
  CHECK(sync::PendingChanges(*tablet) == 2);

  // Another server: everything own still in the log goes again, and the count says so.
  TestServer second(dir.File("second.db"));
  std::vector<std::string> lines;  // what was sent, as the progress said it while sending
  sync::SyncOptions options;
  options.batch = 1;
  options.progress = [&](const sync::SyncProgress& progress) {
    if (progress.direction == "send") lines.push_back(progress.Line());
  };
  int64_t own = LogCount(*tablet, tablet->device().id);
  sync::SyncReport report =
      SyncWith(*tablet, second.url(), second.Token("王芳", "滨江一组"), options);
  CHECK(report.sent == own);
  REQUIRE(!lines.empty());
  CHECK_MESSAGE(lines.back().starts_with("sent " + std::to_string(own) + "/" + std::to_string(own) +
                                         " changes, "),
                lines.back());
  CHECK(sync::PendingChanges(*tablet) == 0);
}

}  // namespace
}  // namespace fieldcrm::testing
