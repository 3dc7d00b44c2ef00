#include "fieldcrm/model/service_cases.h"

#include <algorithm>
#include <map>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

namespace {

// The steps a case of `kind` may take from `status`. Resolving or closing may skip answering,
// fixing may skip attending (see the header).
const std::vector<std::string>& NextSteps(const std::string& kind, const std::string& status) {
  static const std::map<std::pair<std::string, std::string>, std::vector<std::string>> next = {
      {{"complaint", "opened"}, {"answered", "resolved", "closed"}},
      {{"complaint", "answered"}, {"resolved", "closed"}},
      {{"repair", "opened"}, {"attended", "fixed"}},
  };
  static const std::vector<std::string> none;
  auto it = next.find({kind, status});
  return it == next.end() ? none : it->second;
}

bool IsFinalStep(const std::string& step) {
  return step == "resolved" || step == "closed" || step == "fixed";
}

std::string CheckKind(std::string_view kind) {
  return ParseChoice("service case kind", kind, kServiceCaseKinds,
                     {{"投诉", "complaint"}, {"报修", "repair"}});
}

}  // namespace

std::string CaseStatus(const json& doc) {
  // Furthest first; a complaint both resolved and closed on two tablets counts as resolved.
  for (const char* step : {"resolved", "closed", "fixed", "attended", "answered"}) {
    if (TimeField(doc, (std::string(step) + "_at").c_str())) return step;
  }
  return "opened";
}

bool CaseIsOpen(const std::string& status) {
  return !IsFinalStep(status);
}

std::string ServiceCases::Open(const std::string& customer, const NewServiceCase& input) {
  std::string kind = CheckKind(input.kind);
  if (input.category.empty()) {
    throw InvalidInput("a " + kind + " needs a category (--category, e.g. " +
                       (kind == "complaint" ? "物业, 交付, 服务" : "漏水, 电路, 门窗") + ")");
  }
  std::string severity = ParseChoice(
      "severity", input.severity, kSeverities,
      {{"低", "low"}, {"中", "medium"}, {"一般", "medium"}, {"高", "high"}, {"紧急", "urgent"}});
  FieldValues values = {{"category", input.category}, {"severity", severity}};
  if (!input.channel.empty()) {
    values.emplace_back("channel", ParseChoice("channel", input.channel, kServiceChannels,
                                               {{"电话", "phone"},
                                                {"短信", "sms"},
                                                {"微信", "wechat"},
                                                {"邮件", "email"},
                                                {"来访", "in-person"},
                                                {"当面", "in-person"},
                                                {"线上", "online"},
                                                {"网络", "online"},
                                                {"来信", "letter"},
                                                {"信函", "letter"}}));
  }
  if (!input.note.empty()) values.emplace_back("note", input.note);
  if (!input.unit.empty()) values.emplace_back("unit", input.unit);
  const std::string& agent = store_.device().agent;
  std::string handler = input.handler.empty() ? agent : input.handler;
  if (!handler.empty()) values.emplace_back("handler", handler);
  if (!agent.empty()) values.emplace_back("agent", agent);
  values.emplace_back("opened_at", FormatTime(input.at_ms.value_or(store_.env().NowMillis())));
  Transaction txn = store_.Transact();
  values.emplace(values.begin(), "customer", Customers(store_).Resolve(customer));
  std::string id = store_.NewId();
  store_.Write(kind, id, values);
  txn.Commit();
  return id;
}

void ServiceCases::Advance(const std::string& kind_text, const std::string& id,
                           const ServiceCaseStep& input) {
  std::string kind = CheckKind(kind_text);
  if (input.satisfaction && !IsFinalStep(input.step)) {
    throw InvalidInput("satisfaction is asked when a " + kind + " ends, not when it is " +
                       input.step);
  }
  if (input.satisfaction &&
      (*input.satisfaction < kMinSatisfaction || *input.satisfaction > kMaxSatisfaction)) {
    throw InvalidInput("satisfaction must be 1 (very dissatisfied) to 5 (very satisfied), not " +
                       std::to_string(*input.satisfaction));
  }
  Transaction txn = store_.Transact();
  auto doc = LiveRecord(store_, id, kind);
  if (!doc) throw NotFound("no " + kind + " with id '" + id + "'");
  std::string status = CaseStatus(*doc);
  const std::vector<std::string>& allowed = NextSteps(kind, status);
  if (std::find(allowed.begin(), allowed.end(), input.step) == allowed.end()) {
    std::string options;
    for (const std::string& next : allowed) options += (options.empty() ? "" : " or ") + next;
    throw InvalidInput(kind + " " + id + " is " + status + "; " +
                       (options.empty() ? "it cannot move any more"
                                        : "it can be " + options + ", not " + input.step));
  }
  int64_t at = input.at_ms.value_or(store_.env().NowMillis());
  auto opened = TimeField(*doc, "opened_at");
  if (opened && at < *opened) {
    throw InvalidInput("a " + kind + " cannot be " + input.step + " before it was opened (" +
                       FormatTime(*opened) + ")");
  }
  FieldValues values;
  const std::string& agent = store_.device().agent;
  auto stamp = [&](const std::string& step) {
    values.emplace_back(step + "_at", FormatTime(at));
    if (!agent.empty()) values.emplace_back(step + "_by", agent);
  };
  stamp(input.step);
  if (!input.note.empty()) values.emplace_back(input.step + "_note", input.note);
  if (!input.handler.empty()) values.emplace_back("handler", input.handler);
  if (input.satisfaction) values.emplace_back("satisfaction", *input.satisfaction);
  store_.Write(kind, id, values);
  txn.Commit();
}

std::vector<json> ServiceCases::List(const std::string& kind_text, bool open_only) {
  std::string kind = CheckKind(kind_text);
  Statement& stmt = StoreDatabase(store_).Prepare(
      "SELECT s.doc, c.doc FROM records s "
      "JOIN records p ON p.id = s.parent JOIN records c ON c.id = COALESCE(p.root, p.id) "
      "WHERE s.kind = ? AND s.deleted = 0 AND c.deleted = 0 "
      "ORDER BY json_extract(s.doc, '$.opened_at'), s.id");
  stmt.Bind(kind);
  std::vector<json> out;
  while (stmt.Step()) {
    json item = json::parse(stmt.Text(0));
    json customer = json::parse(stmt.Text(1));
    item["status"] = CaseStatus(item);
    if (open_only && !CaseIsOpen(item["status"])) continue;
    item["customer"] = customer["id"];
    item["customer_name"] = customer.value("name", "");
    out.push_back(std::move(item));
  }
  stmt.Reset();
  return out;
}

}  // namespace fieldcrm
