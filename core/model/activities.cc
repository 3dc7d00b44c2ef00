#include "fieldcrm/model/activities.h"

#include <algorithm>
#include <map>
#include <utility>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/amounts.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/live_records.h"
#include "fieldcrm/storage/store_database.h"

namespace fieldcrm {

using nlohmann::json;

std::string Activities::AddInteraction(const std::string& customer, const InteractionInput& in) {
  std::string type = ParseChoice("interaction type", in.type, kInteractionTypes);
  Transaction txn = store_.Transact();
  std::string root = customers_.Resolve(customer);
  FieldValues values = {{"customer", root},
                        {"type", type},
                        {"at", FormatTime(in.at_ms.value_or(store_.env().NowMillis()))}};
  if (!store_.device().agent.empty()) values.emplace_back("agent", store_.device().agent);
  if (!in.note.empty()) values.emplace_back("note", in.note);
  if (!in.channel.empty()) {
    values.emplace_back(
        "channel",
        ParseChoice("channel", in.channel, kContactChannels,
                    {{"电话", "phone"}, {"短信", "sms"}, {"微信", "wechat"}, {"邮件", "email"}}));
  }
  if (!in.outcome.empty()) values.emplace_back("outcome", in.outcome);
  if (in.minutes) {
    CheckNumericField("minutes", *in.minutes);
    values.emplace_back("minutes", *in.minutes);
  }
  std::string id = store_.NewId();
  store_.Write("interaction", id, values);
  txn.Commit();
  return id;
}

std::string Activities::AddTask(const std::string& customer, int64_t due_ms,
                                const std::string& note) {
  Transaction txn = store_.Transact();
  std::string root = customers_.Resolve(customer);
  FieldValues values = {{"customer", root}, {"due", FormatTime(due_ms)}, {"done", false}};
  if (!note.empty()) values.emplace_back("note", note);
  if (!store_.device().agent.empty()) values.emplace_back("agent", store_.device().agent);
  std::string id = store_.NewId();
  store_.Write("task", id, values);
  txn.Commit();
  return id;
}

json Activities::Record(const std::string& id, const std::string& kind) {
  auto doc = LiveRecord(store_, id, kind);
  if (!doc) throw NotFound("no " + kind + " with id '" + id + "'");
  return *doc;
}

void Activities::CompleteTask(const std::string& task) {
  Transaction txn = store_.Transact();
  Record(task, "task");
  store_.Write("task", task, {{"done", true}, {"done_at", FormatTime(store_.env().NowMillis())}});
  txn.Commit();
}

std::vector<json> Activities::OpenTasks(std::optional<int64_t> overdue_at_ms) {
  Statement& stmt = StoreDatabase(store_).Prepare(
      "SELECT t.doc, c.doc FROM records t "
      "JOIN records p ON p.id = t.parent JOIN records c ON c.id = COALESCE(p.root, p.id) "
      "WHERE t.kind = 'task' AND t.deleted = 0 AND c.deleted = 0 "
      "AND json_extract(t.doc, '$.done') = 0 AND (?1 IS NULL OR json_extract(t.doc, '$.due') < ?1) "
      "ORDER BY json_extract(t.doc, '$.due'), t.id");
  std::optional<std::string> cutoff;
  if (overdue_at_ms) cutoff = FormatTime(*overdue_at_ms);
  stmt.Bind(cutoff);
  std::vector<json> out;
  while (stmt.Step()) {
    json task = json::parse(stmt.Text(0));
    json customer = json::parse(stmt.Text(1));
    task["customer"] = customer["id"];
    task["customer_name"] = customer.value("name", "");
    out.push_back(std::move(task));
  }
  stmt.Reset();
  return out;
}

std::string Activities::AddDeal(const std::string& customer, const std::string& unit, int64_t price,
                                const std::string& status) {
  if (unit.empty()) throw InvalidInput("a deal needs a unit (--unit, e.g. 3-1502)");
  CheckNumericField("price", price);
  std::string code = ParseDealStatus(status);
  Transaction txn = store_.Transact();
  std::string root = customers_.Resolve(customer);
  if (std::optional<json> live = LiveDealOn(root, unit)) {
    if (live->value("price", json()) == price && live->value("status", "") == code) {
      return (*live)["id"];  // the same deal again: a retry
    }
    throw InvalidInput("customer '" + root + "' already has a " + live->value("status", "") +
                       " deal on unit " + unit + " (" + (*live)["id"].get<std::string>() +
                       "); move it with `deal set`");
  }
  std::string id = store_.NewId();
  FieldValues values = {{"customer", root},
                        {"unit", unit},
                        {"price", price},
                        {"status", code},
                        {code + "_at", FormatTime(store_.env().NowMillis())}};
  if (!store_.device().agent.empty()) values.emplace_back("agent", store_.device().agent);
  store_.Write("deal", id, values);
  txn.Commit();
  return id;
}

std::optional<json> Activities::LiveDealOn(const std::string& customer, const std::string& unit) {
  Statement& stmt = StoreDatabase(store_).Prepare(
      "SELECT d.id, d.doc FROM records d JOIN records p ON p.id = d.parent "
      "WHERE d.kind = 'deal' AND d.deleted = 0 AND COALESCE(p.root, p.id) = ?1 "
      "AND json_extract(d.doc, '$.unit') = ?2 AND json_extract(d.doc, '$.status') <> 'cancelled' "
      "ORDER BY d.id LIMIT 1");
  stmt.Bind(customers_.Resolve(customer), unit);
  std::optional<json> found;
  if (stmt.Step()) {
    found = json::parse(stmt.Text(1));
    (*found)["id"] = stmt.Text(0);
  }
  stmt.Reset();
  return found;
}

std::string ParseDealStatus(std::string_view text) {
  return ParseChoice("deal status", text, kDealStatuses,
                     {{"认购", "reserved"},
                      {"签约", "signed"},
                      {"交房", "handed-over"},
                      {"退订", "cancelled"},
                      {"取消", "cancelled"},
                      {"canceled", "cancelled"}});
}

const std::vector<std::string>& NextDealStatuses(const std::string& status) {
  static const std::map<std::string, std::vector<std::string>> next = {
      {"reserved", {"signed", "cancelled"}},
      {"signed", {"handed-over", "cancelled"}},
      {"handed-over", {}},
      {"cancelled", {}}};
  static const std::vector<std::string> none;
  auto it = next.find(status);
  return it == next.end() ? none : it->second;
}

void Activities::SetDealStatus(const std::string& deal, const std::string& status) {
  std::string code = ParseDealStatus(status);
  Transaction txn = store_.Transact();
  json record = Record(deal, "deal");
  std::string from = record.value("status", "reserved");
  const std::vector<std::string>& allowed = NextDealStatuses(from);
  if (std::find(allowed.begin(), allowed.end(), code) == allowed.end()) {
    std::string options;
    for (const std::string& next : allowed) options += (options.empty() ? "" : " or ") + next;
    throw InvalidInput("deal " + deal + " is " + from + "; " +
                       (options.empty() ? "it cannot move any more"
                                        : "it can move to " + options + ", not to " + code));
  }
  store_.Write("deal", deal,
               {{"status", code}, {code + "_at", FormatTime(store_.env().NowMillis())}});
  txn.Commit();
}

std::string Activities::AddReferral(const std::string& referrer, const std::string& referee) {
  Transaction txn = store_.Transact();
  std::string from = customers_.Resolve(referrer);
  std::string to = customers_.Resolve(referee);
  if (from == to) throw InvalidInput("a customer cannot refer themselves");
  std::string id = store_.NewId();
  store_.Write("referral", id,
               {{"referrer", from}, {"referee", to}, {"at", FormatTime(store_.env().NowMillis())}});
  txn.Commit();
  return id;
}

std::vector<json> Activities::Of(const std::string& customer, const std::string& kind) {
  std::string root = customers_.Resolve(customer);
  std::vector<json> out;
  Statement& stmt = StoreDatabase(store_).Prepare(
      "SELECT doc FROM records WHERE parent = ? AND kind = ? AND deleted = 0 ORDER BY id");
  for (const std::string& id : customers_.IdsOf(root)) {
    stmt.Bind(id, kind);
    while (stmt.Step()) out.push_back(json::parse(stmt.Text(0)));
    stmt.Reset();
  }
  // Interactions may be logged after the fact (--at): order by when they happened.
  auto key = [](const json& r) { return std::make_pair(r.value("at", ""), r.value("id", "")); };
  std::sort(out.begin(), out.end(), [&](const json& a, const json& b) { return key(a) < key(b); });
  return out;
}

}  // namespace fieldcrm
