// visit | contact | followup | deal | referral: what happens around a customer.
#include <iostream>

#include "context.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/activities.h"
#include "fieldcrm/model/amounts.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/storage/hlc.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

void PrintId(Context& ctx, const std::string& id) {
  if (ctx.json) {
    PrintJson({{"id", id}});
  } else {
    std::cout << id << '\n';
  }
}

// visit add / contact add share everything but the interaction type.
void AddInteractionCommand(CLI::App& parent, Context& ctx, const std::string& type,
                           const std::string& help) {
  auto* add = parent.add_subcommand("add", help);
  struct Args {
    std::string customer, at;
    InteractionInput input;
  };
  auto args = std::make_shared<Args>();
  args->input.type = type;
  add->add_option("ID", args->customer, "customer id")->required();
  add->add_option("--note", args->input.note, "what happened");
  add->add_option("--at", args->at, "when (ISO-8601; default now)");
  if (type == "visit") {
    add->add_option("--minutes", args->input.minutes, "time spent on site");
  } else {
    add->add_option("--channel", args->input.channel, "phone, sms, wechat, email, in-person")
        ->required();
    add->add_option("--outcome", args->input.outcome, "the result of the contact");
  }
  add->callback([&ctx, args] {
    if (!args->at.empty()) args->input.at_ms = ParseTime(args->at, "--at");
    PrintId(ctx, ctx.session().AddInteraction(args->customer, args->input).id);
  });
}

}  // namespace

void AddActivityCommands(CLI::App& app, Context& ctx) {
  auto* visit = app.add_subcommand("visit", "visits to the sales office or a show flat");
  visit->require_subcommand(1);
  AddInteractionCommand(*visit, ctx, "visit", "record a visit");

  auto* contact =
      app.add_subcommand("contact", "follow-up contacts (回访) by phone, SMS, WeChat...");
  contact->require_subcommand(1);
  AddInteractionCommand(*contact, ctx, "followup", "record a follow-up contact");

  auto* followup = app.add_subcommand("followup", "follow-up tasks: what must be done by when");
  followup->require_subcommand(1);
  {
    auto* add = followup->add_subcommand("add", "schedule a follow-up");
    struct Args {
      std::string customer, due, note;
    };
    auto args = std::make_shared<Args>();
    add->add_option("ID", args->customer, "customer id")->required();
    add->add_option("--due", args->due, "due time, ISO-8601")->required();
    add->add_option("--note", args->note, "what to do");
    add->callback([&ctx, args] {
      int64_t due = ParseTime(args->due, "--due");
      PrintId(ctx, ctx.session().AddTask(args->customer, due, args->note).id);
    });
  }
  {
    auto* list = followup->add_subcommand("list", "open follow-ups, earliest due first");
    auto overdue = std::make_shared<bool>(false);
    list->add_flag("--overdue", *overdue, "only those past due");
    list->callback([&ctx, overdue] {
      Store& store = ctx.Open();
      std::optional<int64_t> cutoff;
      if (*overdue) cutoff = store.env().NowMillis();
      auto tasks = Activities(store).OpenTasks(cutoff);
      if (ctx.json) return PrintJson(tasks);
      std::vector<std::vector<std::string>> rows;
      for (const json& t : tasks) {
        rows.push_back({Show(t, "id"), LocalTimeText(Show(t, "due")), Show(t, "customer_name"),
                        Show(t, "customer"), Show(t, "agent"), Show(t, "note")});
      }
      PrintTable({"TASK", "DUE", "CUSTOMER", "CUSTOMER ID", "AGENT", "NOTE"}, rows);
    });
  }
  {
    auto* done = followup->add_subcommand("done", "mark a follow-up task done");
    auto id = std::make_shared<std::string>();
    done->add_option("TASK_ID", *id, "task id")->required();
    done->callback([&ctx, id] {
      ctx.Warn(ctx.session().CompleteTask(*id).warnings);
      if (ctx.json) return PrintJson({{"id", *id}, {"done", true}});
      std::cout << "follow-up " << *id << " done\n";
    });
  }

  auto* deal =
      app.add_subcommand("deal", "deals: reserved (认购) → signed (签约) → handed-over (交房)");
  deal->require_subcommand(1);
  {
    auto* add = deal->add_subcommand("add", "record a deal for a customer");
    struct Args {
      std::string customer, unit, price, status = "reserved";
    };
    auto args = std::make_shared<Args>();
    add->add_option("ID", args->customer, "customer id")->required();
    add->add_option("--unit", args->unit, "the unit, e.g. 3-1502")->required();
    add->add_option("--price", args->price, "price in CNY (350万 works)")->required();
    add->add_option("--status", args->status, "reserved, signed, handed-over");
    add->callback([&ctx, args] {
      int64_t price = ParseAmount("price", args->price);
      WriteOutcome added = ctx.session().AddDeal(args->customer, args->unit, price, args->status);
      if (added.existed) {
        std::cerr << "fieldcrm: this deal is already recorded (" << added.id
                  << "): nothing added\n";
      }
      ctx.Warn(added.warnings);
      PrintId(ctx, added.id);
    });
  }
  {
    auto* set = deal->add_subcommand("set", "move a deal to another status");
    auto args = std::make_shared<std::pair<std::string, std::string>>();
    set->add_option("DEAL_ID", args->first, "deal id")->required();
    set->add_option("--status", args->second,
                    "signed, handed-over or cancelled (forward only: see 'deal set --help')")
        ->required();
    set->callback([&ctx, args] {
      ctx.Warn(ctx.session().SetDealStatus(args->first, args->second).warnings);
      std::string status = ParseDealStatus(args->second);
      if (ctx.json) return PrintJson({{"id", args->first}, {"status", status}});
      std::cout << "deal " << args->first << " is now " << status << '\n';
    });
  }

  auto* referral = app.add_subcommand("referral", "referrals (老带新): who brought whom");
  referral->require_subcommand(1);
  {
    auto* add = referral->add_subcommand("add", "record that REFERRER brought REFEREE");
    auto args = std::make_shared<std::pair<std::string, std::string>>();
    add->add_option("REFERRER_ID", args->first, "the existing customer or owner")->required();
    add->add_option("REFEREE_ID", args->second, "the customer they brought")->required();
    add->callback([&ctx, args] {
      WriteOutcome added = ctx.session().AddReferral(args->first, args->second);
      ctx.Warn(added.warnings);
      PrintId(ctx, added.id);
    });
  }
}

}  // namespace fieldcrm::cli
