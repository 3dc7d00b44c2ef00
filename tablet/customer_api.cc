// The API of the customer screens: registration at the door with the live phone lookup, Find,
// the customer card and the writes it offers, Today, and surveys. Every read and write goes
// through the app's Session (fieldcrm/application/session.h) and core's named operations.
#include <httplib.h>

#include <algorithm>
#include <set>

#include "app_state.h"
#include "fieldcrm/application/surveys.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/amounts.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/service_cases.h"
#include "fieldcrm/plugin_host/tiers.h"
#include "fieldcrm/projections/customer_bundle.h"
#include "fieldcrm/projections/customer_search.h"

namespace fieldcrm::tablet {

using nlohmann::json;

namespace {

constexpr int kMaxResults = 50;

// What a list row, the phone lookup and the card's header show of a customer.
json Summary(AppState& state, const json& doc) {
  json row = {{"id", doc["id"]}};
  for (const char* field :
       {"name", "phone", "stage", "agent", "team", "created_at", "project", "budget", "source"}) {
    if (doc.contains(field)) row[field] = doc[field];
  }
  if (auto grade = state.board.Grade(doc["id"])) row.update(TierJson(*grade));
  return row;
}

json Summaries(AppState& state, const std::vector<std::string>& ids) {
  Customers customers(state.session->store());
  json out = json::array();
  for (const std::string& id : ids) out.push_back(Summary(state, customers.Get(id)));
  return out;
}

std::string Digits(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

// Text fields of a JSON body that the agent filled in (empty ones left out).
FieldTexts Filled(const json& body, std::initializer_list<const char*> keys) {
  FieldTexts fields;
  for (const char* key : keys) {
    std::string value = Text(body, key);
    if (!value.empty()) fields.emplace_back(key, value);
  }
  return fields;
}

// After a write: the customer's tier and alerts are refreshed, the outcome answered.
Reply Written(AppState& state, const WriteOutcome& outcome, const std::string& customer,
              int status = 200) {
  std::string root = Customers(state.session->store()).Resolve(customer);
  state.board.RefreshCustomer(*state.session, root);
  return {status, {{"id", outcome.id}, {"customer", root}, {"warnings", outcome.warnings}}};
}

Reply Lookup(const httplib::Request& req, AppState& state) {
  std::string digits = Digits(req.get_param_value("phone"));
  std::vector<std::string> ids = CustomersByPhonePrefix(state.session->store(), digits, 5);
  return {200, {{"matches", Summaries(state, ids)}}};
}

Reply Register(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  FieldTexts fields =
      Filled(body, {"name", "phone", "source", "project", "budget", "purpose", "notes"});
  WriteOutcome added = state.session->AddCustomer(fields);
  if (!added.existed) state.board.RefreshCustomer(*state.session, added.id);
  json customer = Summary(state, Customers(state.session->store()).Get(added.id));
  if (added.existed) return {409, {{"existed", true}, {"customer", customer}}};
  return {201, {{"id", added.id}, {"customer", customer}}};
}

std::optional<std::string> Stage(const httplib::Request& req) {
  std::string text = req.get_param_value("stage");
  if (text.empty()) return std::nullopt;
  return ParseCustomerField("stage", text).get<std::string>();
}

Reply Find(const httplib::Request& req, AppState& state) {
  CustomerQuery query{req.get_param_value("q"), Stage(req), kMaxResults};
  query.text.erase(0, query.text.find_first_not_of(' '));
  query.text.erase(query.text.find_last_not_of(' ') + 1);
  std::string tier = req.get_param_value("tier");
  if (!tier.empty()) {
    tier = ParseChoice("tier", tier, {"A", "B", "C", "D"},
                       {{"a", "A"}, {"b", "B"}, {"c", "C"}, {"d", "D"}});
  }
  Store& db = state.session->store();
  std::vector<std::string> ids;
  if (tier.empty()) {
    ids = SearchCustomers(db, query);
  } else {
    // The tier comes from the board; the other criteria narrow its customers.
    query.limit = 100000;
    std::vector<std::string> of_tier = state.board.OfTier(tier[0], query.limit);
    std::set<std::string> wanted(of_tier.begin(), of_tier.end());
    std::vector<std::string> matching =
        query.text.empty() && !query.stage ? of_tier : SearchCustomers(db, query);
    for (const std::string& id : matching) {
      if (wanted.contains(id)) ids.push_back(id);
      if (ids.size() == static_cast<size_t>(kMaxResults)) break;
    }
  }
  return {200, {{"customers", Summaries(state, ids)}, {"tiers_ready", state.board.ready()}}};
}

// Names of the customers a list of records points at through `field` (referrals).
void AddNames(Customers& customers, json& records, const char* field) {
  for (json& record : records) {
    if (!record.contains(field)) continue;
    try {
      record[std::string(field) + "_name"] = customers.Get(record[field]).value("name", "");
    } catch (const NotFound&) {  // a referee deleted since, or not synced to this tablet yet
      record[std::string(field) + "_name"] = "";
    }
  }
}

Reply Card(const httplib::Request& req, AppState& state) {
  Session& session = *state.session;
  Customers customers(session.store());
  std::string root = customers.Resolve(req.matches[1]);
  CustomerBundle bundle = LoadCustomerBundles(session.store(), root).front();
  json card = {{"customer", Summary(state, customers.Get(root))}};
  card["customer"]["fields"] = customers.Get(root);
  if (LoadedPlugin* tiering = session.plugins().FirstOfKind("tiering")) {
    card["tier"] = ExplainTier(*tiering, bundle, session.AsOfMs());
  }
  Activities activities(session.store());
  card["interactions"] = bundle.interactions;
  card["deals"] = bundle.deals;
  card["surveys"] = bundle.survey_responses;
  for (const char* kind : {"complaints", "repairs"}) {
    json cases = std::string(kind) == "complaints" ? bundle.complaints : bundle.repairs;
    for (json& c : cases) c["status"] = CaseStatus(c);
    card[kind] = std::move(cases);
  }
  card["tasks"] = activities.Of(root, "task");
  card["rewards"] = activities.Of(root, "reward");
  card["referrals_made"] = bundle.referrals_made;
  card["referred_by"] = bundle.referred_by;
  AddNames(customers, card["referrals_made"], "referee");
  AddNames(customers, card["referred_by"], "referrer");
  return {200, card};
}

Reply LogInteraction(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  InteractionInput input;
  input.type = Text(body, "type");
  input.note = Text(body, "note");
  input.channel = Text(body, "channel");
  input.outcome = Text(body, "outcome");
  if (std::string minutes = Text(body, "minutes"); !minutes.empty()) {
    if (Digits(minutes) != minutes || minutes.size() > 6) {
      throw InvalidInput("minutes on site must be a whole number, got '" + minutes + "'");
    }
    input.minutes = std::stoll(minutes);
  }
  std::string customer = req.matches[1];
  return Written(state, state.session->AddInteraction(customer, input), customer, 201);
}

Reply ScheduleTask(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  int64_t due = ParseTime(Text(body, "due"), "due");
  std::string customer = req.matches[1];
  return Written(state, state.session->AddTask(customer, due, Text(body, "note")), customer, 201);
}

// Completing a task or moving a deal names the customer the card shows (the body's
// "customer"), whose tier and alerts are then refreshed.
Reply FinishTask(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  return Written(state, state.session->CompleteTask(req.matches[1]), Text(body, "customer"));
}

Reply SetFields(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  FieldTexts fields;
  for (const auto& [key, value] : body.items()) fields.emplace_back(key, Text(body, key.c_str()));
  std::string customer = req.matches[1];
  return Written(state, state.session->SetCustomer(customer, fields), customer);
}

Reply RecordDeal(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  std::string customer = req.matches[1];
  int64_t price = ParseAmount("price", Text(body, "price"));
  std::string status = Text(body, "status").empty() ? "reserved" : Text(body, "status");
  return Written(state, state.session->AddDeal(customer, Text(body, "unit"), price, status),
                 customer, 201);
}

Reply MoveDeal(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  return Written(state, state.session->SetDealStatus(req.matches[1], Text(body, "status")),
                 Text(body, "customer"));
}

// 老带新: the friend an existing customer brought is registered (or found by phone), then the
// referral is recorded; the referral plugin reacts in the review after it.
Reply Refer(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  FieldTexts friend_fields = Filled(body, {"name", "phone", "project", "budget", "notes"});
  friend_fields.emplace_back("source", "referral");
  WriteOutcome referee = state.session->AddCustomer(friend_fields);
  std::string referrer = req.matches[1];
  Reply reply = Written(state, state.session->AddReferral(referrer, referee.id), referrer, 201);
  state.board.RefreshCustomer(*state.session, referee.id);
  reply.body["referee"] = referee.id;
  reply.body["referee_existed"] = referee.existed;
  return reply;
}

Reply Today(const httplib::Request& req, AppState& state) {
  // `until`: the end of the tablet's day, in unix ms, as the browser (in the tablet's time zone)
  // computes it.
  std::string until_text = Digits(req.get_param_value("until"));
  int64_t until = until_text.empty() ? state.session->AsOfMs() : std::stoll(until_text);
  const std::string& agent = state.session->store().device().agent;
  json alerts = json::array();
  for (const DueAlert& a : state.board.Alerts(agent)) {
    alerts.push_back({{"rule", a.rule},
                      {"due_ms", a.due_ms},
                      {"customer", a.customer},
                      {"customer_name", a.customer_name},
                      {"message", a.message},
                      {"plugin", a.plugin}});
  }
  json tasks = json::array();
  for (json& task : Activities(state.session->store()).OpenTasks(until)) {
    if (!agent.empty() && task.value("agent", agent) != agent) continue;
    task["due_ms"] = TimeField(task, "due").value_or(0);
    tasks.push_back(std::move(task));
  }
  return {200, {{"alerts", alerts}, {"tasks", tasks}, {"ready", state.board.ready()}}};
}

Reply SurveyList(const httplib::Request&, AppState& state) {
  return {200, {{"surveys", Surveys(state.session->store(), state.session->plugins()).List()}}};
}

Reply AnswerSurvey(const httplib::Request& req, AppState& state) {
  json body = Body(req);
  if (!body.contains("answers") || !body["answers"].is_object()) {
    throw InvalidInput("'answers' must be an object: question id -> answer");
  }
  std::string customer = req.matches[1];
  Surveys surveys(state.session->store(), state.session->plugins());
  std::string id = surveys.Answer(customer, Text(body, "survey"), body["answers"], std::nullopt);
  return Written(state, {id, false, {}}, customer, 201);
}

}  // namespace

void RegisterCustomerApi(httplib::Server& http, AppState& state) {
  const std::string id = "([0-9A-Za-z_-]+)";
  Route(http, state, "GET", "/api/lookup", true, Lookup);
  Route(http, state, "POST", "/api/customers", true, Register);
  Route(http, state, "GET", "/api/find", true, Find);
  Route(http, state, "GET", "/api/customers/" + id, true, Card);
  Route(http, state, "POST", "/api/customers/" + id, true, SetFields);
  Route(http, state, "POST", "/api/customers/" + id + "/interactions", true, LogInteraction);
  Route(http, state, "POST", "/api/customers/" + id + "/tasks", true, ScheduleTask);
  Route(http, state, "POST", "/api/customers/" + id + "/deals", true, RecordDeal);
  Route(http, state, "POST", "/api/customers/" + id + "/referrals", true, Refer);
  Route(http, state, "POST", "/api/customers/" + id + "/surveys", true, AnswerSurvey);
  Route(http, state, "POST", "/api/tasks/" + id + "/done", true, FinishTask);
  Route(http, state, "POST", "/api/deals/" + id + "/status", true, MoveDeal);
  Route(http, state, "GET", "/api/today", true, Today);
  Route(http, state, "GET", "/api/surveys", true, SurveyList);
}

}  // namespace fieldcrm::tablet
