// customer add | get | set | list | find | merge | delete
#include <iostream>

#include "context.h"
#include "customer_edits_file.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/customers.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/model/service_cases.h"
#include "tier_fields.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

FieldTexts ParseAssignments(const std::vector<std::string>& assignments) {
  FieldTexts fields;
  for (const std::string& item : assignments) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InvalidInput("expected key=value, got '" + item + "'");
    }
    fields.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return fields;
}

std::vector<std::vector<std::string>> CustomerRows(const std::vector<json>& customers) {
  std::vector<std::vector<std::string>> rows;
  for (const json& c : customers) {
    rows.push_back({Show(c, "id"), Show(c, "name"), Show(c, "phone"), Show(c, "stage"),
                    Show(c, "tier"), Show(c, "budget"), Show(c, "source"), Show(c, "agent"),
                    Show(c, "team")});
  }
  return rows;
}

const std::vector<std::string> kCustomerColumns = {"ID",     "NAME",   "PHONE", "STAGE", "TIER",
                                                   "BUDGET", "SOURCE", "AGENT", "TEAM"};

void PrintCount(size_t customers) {
  std::cout << customers << (customers == 1 ? " customer\n" : " customers\n");
}

void PrintCustomerList(const std::vector<json>& customers) {
  PrintTable(kCustomerColumns, CustomerRows(customers));
  PrintCount(customers.size());
}

void PrintCustomer(Store& store, const json& customer) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, value] : customer.items()) {
    rows.push_back({key, key.ends_with("_at") ? LocalTimeText(Show(value)) : Show(value)});
  }
  PrintTable({"FIELD", "VALUE"}, rows);
  Activities activities(store);
  std::string id = customer["id"];
  auto interactions = activities.Of(id, "interaction");
  if (!interactions.empty()) {
    std::cout << "\nHistory:\n";
    std::vector<std::vector<std::string>> history;
    for (const json& i : interactions) {
      history.push_back(
          {LocalTimeText(Show(i, "at")), Show(i, "type"), Show(i, "channel"), Show(i, "agent"),
           Show(i, "note") + (i.contains("outcome") ? " → " + Show(i, "outcome") : "")});
    }
    PrintTable({"AT", "TYPE", "CHANNEL", "AGENT", "NOTE"}, history);
  }
  for (const char* kind : {"deal", "task"}) {
    auto records = activities.Of(id, kind);
    if (records.empty()) continue;
    std::cout << '\n' << (std::string(kind) == "deal" ? "Deals" : "Follow-up tasks") << ":\n";
    std::vector<std::vector<std::string>> rows_of_kind;
    for (const json& r : records) {
      rows_of_kind.push_back(std::string(kind) == "deal"
                                 ? std::vector<std::string>{Show(r, "id"), Show(r, "unit"),
                                                            Show(r, "price"), Show(r, "status")}
                                 : std::vector<std::string>{Show(r, "id"),
                                                            LocalTimeText(Show(r, "due")),
                                                            Show(r, "done"), Show(r, "note")});
    }
    PrintTable(std::string(kind) == "deal"
                   ? std::vector<std::string>{"ID", "UNIT", "PRICE", "STATUS"}
                   : std::vector<std::string>{"ID", "DUE", "DONE", "NOTE"},
               rows_of_kind);
  }
  std::vector<std::vector<std::string>> cases;
  for (const std::string& kind : kServiceCaseKinds) {
    for (const json& c : activities.Of(id, kind)) {
      cases.push_back({Show(c, "id"), kind, LocalTimeText(Show(c, "opened_at")), CaseStatus(c),
                       Show(c, "category"), Show(c, "severity"), Show(c, "handler"),
                       Show(c, "satisfaction")});
    }
  }
  if (!cases.empty()) {
    std::cout << "\nComplaints and repairs:\n";
    PrintTable(
        {"ID", "KIND", "OPENED", "STATUS", "CATEGORY", "SEVERITY", "HANDLER", "SATISFACTION"},
        cases);
  }
}

}  // namespace

void AddCustomerCommands(CLI::App& app, Context& ctx) {
  CLI::App* customer =
      app.add_subcommand("customer", "add, read, edit, merge and delete customers");
  customer->require_subcommand(1);

  {
    auto* add = customer->add_subcommand("add", "register a customer (prints the new id)");
    struct Args {
      std::string name, phone, source, budget, stage;
      std::vector<std::string> sets;
    };
    auto args = std::make_shared<Args>();
    add->add_option("--name", args->name, "full name (姓名)")->required();
    add->add_option("--phone", args->phone, "phone number, normalised to E.164")->required();
    add->add_option("--source", args->source, "walk-in, call, event, online, referral, broker");
    add->add_option("--budget", args->budget, "budget in CNY (350万 works)");
    add->add_option("--stage", args->stage, "prospect, intent, buyer, owner");
    add->add_option("--set", args->sets, "any other field as key=value (repeatable)");
    add->callback([&ctx, args] {
      FieldTexts fields = {{"name", args->name}, {"phone", args->phone}};
      if (!args->source.empty()) fields.emplace_back("source", args->source);
      if (!args->budget.empty()) fields.emplace_back("budget", args->budget);
      if (!args->stage.empty()) fields.emplace_back("stage", args->stage);
      for (auto& field : ParseAssignments(args->sets)) fields.push_back(field);
      WriteOutcome added = ctx.session().AddCustomer(fields);
      if (ctx.json) {
        PrintJson({{"id", added.id}, {"existed", added.existed}});
        return;
      }
      std::cout << added.id << '\n';
      if (added.existed) {
        std::cerr << "note: a customer with this phone already exists; returned its id\n";
      }
    });
  }
  {
    auto* get = customer->add_subcommand("get", "show one customer and its history");
    get->alias("show");
    auto id = std::make_shared<std::string>();
    get->add_option("ID", *id, "customer id (an alias of a merged customer works)")->required();
    get->callback([&ctx, id] {
      Store& store = ctx.Open();
      std::vector<json> found = {Customers(store).Get(*id)};
      AddTierFields(ctx, found, false);
      ctx.json ? PrintJson(found.front()) : PrintCustomer(store, found.front());
    });
  }
  {
    auto* set = customer->add_subcommand("set", "change fields: key=value (empty value clears)");
    struct Args {
      std::string id;
      std::vector<std::string> assignments;
    };
    auto args = std::make_shared<Args>();
    set->add_option("ID", args->id, "customer id")->required();
    set->add_option("FIELDS", args->assignments, "key=value ...")->required();
    set->callback([&ctx, args] {
      WriteOutcome written =
          ctx.session().SetCustomer(args->id, ParseAssignments(args->assignments));
      if (ctx.json) PrintJson(Customers(ctx.Open()).Get(written.id));
    });
  }
  {
    auto* set_many = customer->add_subcommand(
        "set-many", "change many customers at once, all or nothing (a file of edits, for scripts)");
    auto file = std::make_shared<std::string>();
    set_many
        ->add_option("FILE", *file,
                     "JSON lines ({\"id\": ID or \"phone\": P, field: value, ...}) or a CSV/.xlsx "
                     "sheet with an id or phone column and a column per field")
        ->required();
    set_many->callback([&ctx, file] {
      std::vector<std::string> written = ctx.session().SetCustomers(ReadCustomerEdits(*file));
      if (ctx.json) {
        PrintJson({{"customers", written.size()}});
      } else {
        std::cout << "set " << written.size()
                  << (written.size() == 1 ? " customer\n" : " customers\n");
      }
    });
  }
  {
    auto* list = customer->add_subcommand("list", "list customers");
    auto filter = std::make_shared<Customers::Filter>();
    auto stage = std::make_shared<std::string>();
    auto tier = std::make_shared<std::string>();
    list->add_option("--stage", *stage, "only this lifecycle stage");
    list->add_option("--team", filter->team, "only this team");
    list->add_option("--agent", filter->agent, "only this agent's customers");
    list->add_option("--tier", *tier, "only this tier (A-D), as graded by the tiering plugin");
    list->callback([&ctx, filter, stage, tier] {
      // The same spellings as customer add: 意向, Intent...
      if (!stage->empty()) filter->stage = ParseCustomerField("stage", *stage).get<std::string>();
      std::string wanted = tier->empty()
                               ? ""
                               : ParseChoice("tier", *tier, {"A", "B", "C", "D"},
                                             {{"a", "A"}, {"b", "B"}, {"c", "C"}, {"d", "D"}});
      // A window at a time, whatever the store's size, read and graded once.
      Customers customers(ctx.Open());
      StreamedJsonArray out(std::cout);
      StreamedTable table(kCustomerColumns);
      size_t count = 0;
      customers.ForEachWindow(*filter, [&](std::vector<json>& window) {
        AddTierFields(ctx, window, !wanted.empty());
        if (!wanted.empty()) {
          std::erase_if(window, [&](const json& c) { return c.value("tier", "") != wanted; });
        }
        if (ctx.json) {
          for (const json& c : window) out.Add(c);
        } else {
          table.Add(CustomerRows(window));
        }
        count += window.size();
      });
      if (ctx.json) return out.Close();
      table.Print();
      PrintCount(count);
    });
  }
  {
    auto* find = customer->add_subcommand("find", "find a customer by phone number");
    auto phone = std::make_shared<std::string>();
    find->add_option("--phone", *phone, "any spelling of the number")->required();
    find->callback([&ctx, phone] {
      auto match = Customers(ctx.Open()).FindByPhone(*phone);
      if (!match) throw NotFound("no customer with phone '" + *phone + "'");
      std::vector<json> found = {*match};
      AddTierFields(ctx, found, false);
      ctx.json ? PrintJson(found.front()) : PrintCustomerList(found);
    });
  }
  {
    auto* merge =
        customer->add_subcommand("merge", "fold DROP_ID into KEEP_ID (DROP_ID stays an alias)");
    auto ids = std::make_shared<std::pair<std::string, std::string>>();
    merge->add_option("KEEP_ID", ids->first, "the customer that stays")->required();
    merge->add_option("DROP_ID", ids->second, "the duplicate")->required();
    merge->callback([&ctx, ids] {
      Customers customers(ctx.Open());
      std::string keep = customers.Merge(ids->first, ids->second);
      if (ctx.json) {
        PrintJson(customers.Get(keep));
      } else {
        std::cout << "merged " << ids->second << " into " << keep << '\n';
      }
    });
  }
  {
    auto* del = customer->add_subcommand("delete", "delete a customer (a tombstone that syncs)");
    auto id = std::make_shared<std::string>();
    del->add_option("ID", *id, "customer id")->required();
    del->callback([&ctx, id] {
      Customers(ctx.Open()).Delete(*id);
      if (!ctx.json) std::cout << "deleted " << *id << '\n';
    });
  }
}

}  // namespace fieldcrm::cli
