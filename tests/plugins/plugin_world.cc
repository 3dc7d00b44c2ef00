#include "tests/plugins/plugin_world.h"

#include "fieldcrm/model/activities.h"
#include "fieldcrm/projections/customer_store.h"

namespace fieldcrm::testing {

Replica::Replica(const TempDir& dir, const std::string& name, const std::string& agent,
                 const std::string& team)
    : store_(CreateCustomerStore(dir.File(name + ".db"), {"", name, agent, team})) {}

std::string Replica::Customer(const std::string& name, const std::string& phone,
                              const std::string& created, FieldTexts extra) {
  extra.emplace_back("name", name);
  extra.emplace_back("phone", phone);
  extra.emplace_back("created_at", created);
  return Customers(*store_).Add(extra).id;
}

std::string Replica::Interaction(const std::string& customer, const std::string& type,
                                 const std::string& at) {
  InteractionInput input;
  input.type = type;
  input.at_ms = ParseTime(at, "at");
  if (type != "visit") input.channel = "phone";
  return Activities(*store_).AddInteraction(customer, input);
}

std::string Replica::Deal(const std::string& customer, int64_t price, const std::string& status,
                          const std::string& signed_at) {
  std::string id = store_->NewId();
  store_->Write("deal", id,
                {{"customer", customer},
                 {"unit", "3-1502"},
                 {"price", price},
                 {"status", status},
                 {"signed_at", FormatTime(ParseTime(signed_at, "signed_at"))}});
  return id;
}

std::string Replica::Referral(const std::string& referrer, const std::string& referee) {
  return Activities(*store_).AddReferral(referrer, referee);
}

int64_t Replica::LogSize() {
  return static_cast<int64_t>(store_->ReadLog(0, 1 << 30).size());
}

void Sync(Store& a, Store& b) {
  auto send = [](Store& from, Store& to) {
    std::vector<Change> changes;
    for (auto& logged : from.ReadLog(0, 1 << 30)) changes.push_back(std::move(logged.change));
    to.ApplyRemote(changes);
  };
  send(a, b);
  send(b, a);
}

std::unique_ptr<PluginHost> BuiltinHost(Store& store) {
  auto host = std::make_unique<PluginHost>(UnsignedFolder(BuiltinPlugins()));
  host->Configure(store);
  return host;
}

}  // namespace fieldcrm::testing
