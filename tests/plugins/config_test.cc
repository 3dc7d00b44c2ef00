// Plugin config: JSON validated against the plugin's schema and by the plugin itself, stored as a
// synced record, so head office sets the rules once and every tablet has them after sync.
#include <doctest/doctest.h>

#include "fieldcrm/base/error.h"
#include "fieldcrm/plugin_host/plugin_config.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/storage/store_database.h"
#include "tests/plugins/plugin_world.h"

namespace fieldcrm::testing {
namespace {

using nlohmann::json;

TEST_CASE("settings that break the schema or the plugin's own rules are refused, nothing stored") {
  TempDir dir;
  Replica office(dir, "office");
  auto host = BuiltinHost(office.store());
  LoadedPlugin& tiering = host->Get("tiering");
  int64_t before = office.LogSize();

  CHECK_THROWS_WITH_AS(
      SetPluginConfig(office.store(), tiering, {{"weights", {{"budget", "lots"}}}}),
      "config for plugin 'tiering' is invalid at /weights/budget: expected "
      "\"number\", got \"lots\"",
      InvalidInput);
  CHECK_THROWS_WITH_AS(
      SetPluginConfig(office.store(), tiering, {{"colour", "red"}}),
      doctest::Contains("config for plugin 'tiering' is invalid at /: unknown setting 'colour'"),
      InvalidInput);
  // Valid for the schema, but A below B: the plugin itself says no.
  CHECK_THROWS_WITH_AS(SetPluginConfig(office.store(), tiering, {{"thresholds", {{"A", 10}}}}),
                       "plugin 'tiering' rejected its config: thresholds must fall from A to B "
                       "to C",
                       InvalidInput);
  CHECK_THROWS_WITH_AS(SetPluginConfig(office.store(), tiering, json::array()),
                       "plugin config must be a JSON object", InvalidInput);
  CHECK(office.LogSize() == before);
  CHECK(tiering.usable());  // a rejected config is the user's mistake, not the plugin's
  CHECK(StoredPluginConfig(office.store(), "tiering") == json::object());
}

TEST_CASE("head office sets tier thresholds once; a tablet grades by them after sync") {
  TempDir dir;
  Replica office(dir, "office"), tablet(dir, "tablet");
  std::string id = office.Customer("张伟", "13800138000", "2026-06-01", {{"budget", "300万"}});
  Sync(office.store(), tablet.store());

  auto tablet_host = BuiltinHost(tablet.store());
  auto before = GradeStore(StoreDatabase(tablet.store()), tablet_host->Get("tiering"), kAsOf);
  // Never contacted: the budget alone scores 10-20, under the default C threshold of 30.
  CHECK(before.at(id).tier == 'D');

  auto office_host = BuiltinHost(office.store());
  json effective = SetPluginConfig(office.store(), office_host->Get("tiering"),
                                   {{"thresholds", {{"A", 10}, {"B", 6}, {"C", 3}}}});
  CHECK(effective["thresholds"]["A"] == 10);
  CHECK(effective["budget_full_cny"] == 5000000);  // defaults stay underneath
  CHECK(GradeStore(StoreDatabase(office.store()), office_host->Get("tiering"), kAsOf).at(id).tier ==
        'A');

  Sync(office.store(), tablet.store());
  CHECK(StoredPluginConfig(tablet.store(), "tiering")["thresholds"]["A"] == 10);
  auto tablet_after = BuiltinHost(tablet.store());
  auto after = GradeStore(StoreDatabase(tablet.store()), tablet_after->Get("tiering"), kAsOf);
  CHECK(after.at(id).tier == 'A');
  CHECK(after.at(id).score == doctest::Approx(before.at(id).score));
}

TEST_CASE("a stored config the plugin rejects disables only that plugin") {
  TempDir dir;
  Replica tablet(dir, "tablet");
  auto host = BuiltinHost(tablet.store());
  SetPluginConfig(tablet.store(), host->Get("alerts"), {{"churn_days", 45}});
  // As if a head office with other rules had synced a config this plugin cannot take.
  auto record = StoreDatabase(tablet.store())
                    .QueryText(
                        "SELECT id FROM records WHERE kind = 'plugin_config' AND json_extract(doc, "
                        "'$.plugin') = ?",
                        "alerts");
  REQUIRE(record);
  tablet.store().Write("plugin_config", *record, {{"config", {{"churn_days", "soon"}}}});

  auto reloaded = BuiltinHost(tablet.store());
  CHECK_THROWS_WITH_AS(reloaded->Get("alerts"),
                       "plugin 'alerts' is disabled: its stored config was rejected: config for "
                       "plugin 'alerts' is invalid at /churn_days: expected \"integer\", got "
                       "\"soon\"",
                       PluginError);
  CHECK(reloaded->Get("tiering").usable());
}

}  // namespace
}  // namespace fieldcrm::testing
