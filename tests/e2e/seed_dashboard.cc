// Seeds a running fieldcrm-server the way the field does: three tablets (two agents of two teams
// and one at head office) record customers, visits, follow-ups, deals, a referral and survey
// answers offline, then sync. Customers of both teams are in both projects (滨江壹号, 西湖里), so
// the team and project filters select different sets. Prints, as JSON, the ids the browser test
// opens and the seed's "now", from which every time in the seed is an offset. 西湖二组's reception
// tablet then receives two walk-ins through the rotation plugin in PLUGINS_DIR (the Reception
// page): 赵敏 returning, an hour later a visitor who gives only a phone (so no customer is
// registered and the other pages' figures stay as they are).
//   dashboard_seed URL AGENT_TOKEN_WANG AGENT_TOKEN_LI OFFICE_TOKEN DIR LEADER_TOKEN_LI PLUGINS_DIR
// The figures the dashboard must show follow from this seed (see dashboard.test.mjs).
//   dashboard_seed --bulk N SERVER_DB
// instead fills a server store directly with N customers and their visits, follow-ups, tasks and
// deals spread over 20 agents and a year, to time the reports (docs/reports.md).
#include <iostream>
#include <memory>

#include "bench/dashboard_data.h"
#include "fieldcrm/application/reception.h"
#include "fieldcrm/application/session.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/service_cases.h"
#include "fieldcrm/projections/customer_store.h"
#include "fieldcrm/server/sqlite_server_storage.h"
#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/sync/client.h"

namespace {

using fieldcrm::Activities;
using fieldcrm::CreateCustomerStore;
using fieldcrm::Customers;
using fieldcrm::InteractionInput;
using fieldcrm::Store;
using nlohmann::json;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kDay = 24 * kHour;

void Sync(Store& store, const std::string& url, const std::string& token) {
  auto transport = fieldcrm::sync::MakeHttpTransport(url, token);
  fieldcrm::sync::SyncReport report = fieldcrm::sync::SyncClient(store, *transport).Run();
  if (!report.refused.empty() || !report.push_error.empty()) {
    throw std::runtime_error("the server refused part of the seed: " + report.push_error);
  }
}

std::string AddCustomer(Store& store, const std::string& name, const std::string& phone,
                        const std::string& stage, const std::string& source,
                        const std::string& project) {
  return Customers(store)
      .Add({{"name", name},
            {"phone", phone},
            {"stage", stage},
            {"source", source},
            {"project", project}})
      .id;
}

void Visit(Activities& a, const std::string& customer, int64_t at_ms) {
  a.AddInteraction(customer, InteractionInput{"visit", at_ms, "看样板间", "", "", 60});
}

void Call(Activities& a, const std::string& customer, int64_t at_ms) {
  a.AddInteraction(customer, InteractionInput{"followup", at_ms, "回访", "phone", "", {}});
}

void Answer(Store& store, const std::string& customer, int nps, int satisfaction,
            const std::string& comment, int64_t at_ms) {
  json answers = {{"nps", nps}, {"satisfaction", std::to_string(satisfaction)}};
  if (!comment.empty()) answers["comment"] = comment;
  store.Write("survey_response", store.NewId(),
              {{"customer", customer},
               {"survey", "visit-feedback"},
               {"answers", answers},
               {"at", fieldcrm::FormatTime(at_ms)},
               {"agent", store.device().agent},
               {"team", store.device().team},
               {"nps", nps},
               {"satisfaction", satisfaction}});
}

// 西湖二组's reception tablet, synced with its leader's token: 李强 on duty, 赵敏 (his customer)
// walks in again two hours ago, then, an hour ago, a visitor who leaves only a phone.
void Reception(const std::string& dir, const std::string& url, const std::string& leader_token,
               const std::string& plugins_dir, int64_t now) {
  CreateCustomerStore(dir + "/front-b.db", {"", "front-b", "前台", "西湖二组"});
  auto at = [&](int64_t as_of_ms) {
    fieldcrm::SessionOptions options;
    options.db_path = dir + "/front-b.db";
    options.plugins_dir = plugins_dir;
    options.allow_unsigned_plugins = true;
    options.as_of_ms = as_of_ms;
    return std::make_unique<fieldcrm::Session>(options);
  };
  {
    auto session = at(now - 2 * kHour);
    Sync(session->store(), url, leader_token);  // the team's customers: 赵敏 is returning
    fieldcrm::Reception reception(*session);
    reception.SetDuty({"李强"});
    reception.Receive({"13300006666", "", ""});
  }
  auto session = at(now - kHour);
  fieldcrm::Reception reception(*session);
  reception.Done("李强");
  reception.Receive({"13100008888", "", "来访"});
  Sync(session->store(), url, leader_token);
}

void Bulk(int64_t count, const std::string& path) {
  fieldcrm::sync::SqliteServerStorage storage(path);
  fieldcrm::bench::FillDashboardStore(storage, count, 5, 20);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--bulk") {
    Bulk(std::stoll(argv[2]), argv[3]);
    return 0;
  }
  if (argc != 8) {
    std::cerr << "usage: dashboard_seed URL TOKEN_WANG TOKEN_LI OFFICE_TOKEN DIR LEADER_TOKEN_LI "
                 "PLUGINS_DIR\n";
    return 2;
  }
  std::string url = argv[1], dir = argv[5];
  try {
    int64_t now = fieldcrm::Env::Default().NowMillis();
    auto office = CreateCustomerStore(dir + "/office.db", {"", "head-office", "总部", ""});
    office->Write(
        "survey", office->NewId(),
        {{"key", "visit-feedback"},
         {"title", "到访满意度"},
         {"definition",
          {{"key", "visit-feedback"},
           {"title", "到访满意度"},
           {"questions",
            json::array({{{"id", "nps"}, {"type", "nps"}, {"text", "您愿意推荐我们吗？"}},
                         {{"id", "satisfaction"}, {"type", "single"}, {"text", "满意度"}},
                         {{"id", "comment"}, {"type", "text"}, {"text", "您的建议"}}})}}}});
    Sync(*office, url, argv[4]);

    // 王芳, 滨江一组: three visits in the period, one signed and one reserved deal, a referral.
    auto wang = CreateCustomerStore(dir + "/wang.db", {"", "booth-a", "王芳", "滨江一组"});
    Activities wa(*wang);
    std::string zhang = AddCustomer(*wang, "张伟", "13800138000", "intent", "walk-in", "滨江壹号");
    std::string li_na =
        AddCustomer(*wang, "李娜", "13900001111", "prospect", "referral", "滨江壹号");
    std::string wang_xy = AddCustomer(*wang, "王秀英", "13700002222", "prospect", "call", "西湖里");
    std::string liu = AddCustomer(*wang, "刘洋", "13600003333", "owner", "walk-in", "滨江壹号");
    Visit(wa, zhang, now - 2 * kDay);
    Call(wa, zhang, now - 2 * kDay + 3 * kHour);  // followed up within 24 h
    Visit(wa, li_na, now - 5 * kDay);             // never followed up
    Visit(wa, wang_xy, now - 10 * kDay);
    Call(wa, wang_xy, now - 10 * kDay + 30 * kHour);    // too late
    wa.AddTask(wang_xy, now - 3 * kDay, "约二次到访");  // overdue
    std::string signed_deal = wa.AddDeal(zhang, "5-801", 3000000, "signed");
    wa.AddDeal(li_na, "3-302", 2500000, "reserved");
    std::string referral = wa.AddReferral(liu, zhang);
    // The reward the referral plugin grants for the signed deal (as it would write it).
    wang->Write("reward", wang->NewId(),
                {{"referrer", liu},
                 {"referee", zhang},
                 {"referral", referral},
                 {"deal", signed_deal},
                 {"points", 1000},
                 {"granted_at", fieldcrm::FormatTime(now - kHour)}});
    Answer(*wang, zhang, 10, 5, "样板间很漂亮，希望尽快交房", now - 60 * 1000);
    // A complaint from 李娜, answered within the hour (the complaints page).
    fieldcrm::NewServiceCase complaint;
    complaint.kind = "complaint";
    complaint.category = "服务";
    complaint.at_ms = now - 3 * kHour;
    std::string complaint_id = fieldcrm::ServiceCases(*wang).Open(li_na, complaint);
    fieldcrm::ServiceCaseStep answered;
    answered.step = "answered";
    answered.at_ms = now - 2 * kHour;
    fieldcrm::ServiceCases(*wang).Advance("complaint", complaint_id, answered);
    Sync(*wang, url, argv[2]);

    // 李强, 西湖二组: two visits in the period, one long silent customer, one signed deal.
    auto li = CreateCustomerStore(dir + "/li.db", {"", "booth-b", "李强", "西湖二组"});
    Activities la(*li);
    std::string chen = AddCustomer(*li, "陈静", "13500004444", "prospect", "online", "滨江壹号");
    std::string yang = AddCustomer(*li, "杨磊", "13400005555", "prospect", "event", "西湖里");
    std::string zhao = AddCustomer(*li, "赵敏", "13300006666", "prospect", "walk-in", "西湖里");
    Visit(la, chen, now - 3 * kDay);  // never followed up
    la.AddTask(chen, now + kDay, "发户型图");
    Visit(la, yang, now - 40 * kDay);  // before the period, silent since: churn risk
    Visit(la, zhao, now - kDay);
    Call(la, zhao, now - kDay + 2 * kHour);
    la.AddDeal(zhao, "8-1201", 4200000, "signed");
    Answer(*li, chen, 6, 3, "停车不方便", now - 60 * 1000);
    Answer(*li, zhao, 9, 4, "", now - 60 * 1000);
    Sync(*li, url, argv[3]);
    Reception(dir, url, argv[6], argv[7], now);

    std::cout
        << json{{"zhang_wei", zhang}, {"yang_lei", yang}, {"now", fieldcrm::FormatTime(now)}}.dump()
        << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "dashboard_seed: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
