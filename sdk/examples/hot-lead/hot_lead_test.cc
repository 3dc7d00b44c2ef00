// Unit tests of the hot-lead rules with the SDK's harness: no server, no store, no fieldcrm.
#include <fieldcrm/testing.h>

#include <iostream>

using namespace fieldcrm::sdk::testing;

int main() {
  try {
    const int64_t now = Utc(2026, 6, 15, 12);
    Harness harness;
    Expect(harness.manifest()["name"] == "hot-lead", "the manifest names the plugin");

    TestCustomer keen;
    keen.Visit(Utc(2026, 6, 5)).Visit(Utc(2026, 6, 10)).Visit(Utc(2026, 6, 14, 9));
    auto alerts = harness.Alerts(keen, now);
    Expect(alerts.size() == 1, "three visits in two weeks make a hot lead");
    Expect(alerts[0].rule == "hot-lead", "the rule is named");
    Expect(alerts[0].due_ms == Utc(2026, 6, 14, 9), "due since the latest visit");

    TestCustomer old_news;
    old_news.Visit(Utc(2026, 4, 1)).Visit(Utc(2026, 4, 2)).Visit(Utc(2026, 6, 14));
    Expect(harness.Alerts(old_news, now).empty(), "visits outside the window do not count");

    TestCustomer bought = keen;
    bought.SignedDeal(3000000, Utc(2026, 6, 14, 10));
    Expect(harness.Alerts(bought, now).empty(), "a customer with a deal is not a lead");

    harness.Configure(R"({"min_visits": 4})");
    Expect(harness.Alerts(keen, now).empty(), "the threshold comes from the config");

    bool rejected = false;
    try {
      harness.Configure(R"({"min_visits": 1})");
    } catch (const std::invalid_argument&) {
      rejected = true;
    }
    Expect(rejected, "a nonsensical config is rejected with std::invalid_argument");
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  std::cout << "hot-lead: all checks passed\n";
  return 0;
}
