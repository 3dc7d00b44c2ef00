#include "dashboard_data.h"

#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm::bench {

void FillDashboardStore(sync::SqliteServerStorage& storage, int64_t count, int64_t teams,
                        int64_t agents) {
  constexpr int64_t kHour = 3600 * 1000, kDay = 24 * kHour;
  Store& store = storage.store();
  Activities activities(store);
  int64_t now = store.env().NowMillis();
  Transaction txn(StoreDatabase(store));
  for (int64_t i = 0; i < count; ++i) {
    int64_t agent = i % agents;
    std::string id = store.NewId();
    const char* stages[] = {"prospect", "prospect", "intent", "buyer", "owner"};
    store.Write("customer", id,
                {{"name", "客户" + std::to_string(i)},
                 {"phone", "+86139" + std::to_string(10000000 + i)},
                 {"stage", stages[i % 5]},
                 {"agent", "顾问" + std::to_string(agent)},
                 {"team", "团队" + std::to_string(agent % teams)},
                 {"project", i % 3 ? "滨江壹号" : "西湖里"},
                 {"created_at", FormatTime(now - (i % 365) * kDay)}});
    int64_t visit = now - (i % 90) * kDay;
    activities.AddInteraction(id, InteractionInput{"visit", visit, "", "", "", 30});
    if (i % 2) {
      activities.AddInteraction(
          id, InteractionInput{"followup", visit + (i % 48) * kHour, "", "phone", "", {}});
    }
    if (i % 4 == 0) activities.AddTask(id, visit + 3 * kDay, "");
    if (i % 10 == 0) {
      activities.AddDeal(id, "1-" + std::to_string(i), 2000000, i % 20 ? "reserved" : "signed");
    }
  }
  txn.Commit();
}

}  // namespace fieldcrm::bench
