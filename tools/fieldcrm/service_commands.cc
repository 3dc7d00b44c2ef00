// complaint add | answer | resolve | close | list, repair add | attend | fix | list: after-sales
// cases (fieldcrm/model/service_cases.h), one command tree per kind built from the same table.
#include <cctype>
#include <iostream>

#include "context.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/amounts.h"
#include "fieldcrm/model/fields.h"
#include "fieldcrm/model/local_time.h"
#include "fieldcrm/model/service_cases.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

struct StepCommand {
  const char* command;  // answer
  const char* step;     // answered
  const char* help;
};

struct CaseKind {
  const char* kind;
  const char* help;
  const char* category_example;
  std::vector<StepCommand> steps;
  const char* first_step_column;  // the step the clock runs to first, and the last one
  const char* last_step_column;
};

const std::vector<CaseKind>& CaseKinds() {
  static const std::vector<CaseKind> kinds = {
      {"complaint",
       "complaints (投诉): answer within 2 h, resolve within 48 h",
       "物业, 交付, 服务",
       {{"answer", "answered", "record the first answer to the customer"},
        {"resolve", "resolved", "the complaint is resolved (ask the customer's satisfaction)"},
        {"close", "closed", "close the complaint without a resolution (withdrawn, invalid)"}},
       "answered",
       "resolved"},
      {"repair",
       "after-sales repairs (报修): attend on site within 48 h",
       "漏水, 电路, 门窗",
       {{"attend", "attended", "someone is on site"},
        {"fix", "fixed", "the repair is done (ask the customer's satisfaction)"}},
       "attended",
       "fixed"},
  };
  return kinds;
}

std::optional<int64_t> OptionalTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseTime(text, "--at");
}

void AddOpenCommand(CLI::App& parent, Context& ctx, const CaseKind& kind) {
  auto* add = parent.add_subcommand(
      "add", std::string("open a ") + kind.kind + " for a customer (prints its id)");
  struct Args {
    std::string customer, at;
    NewServiceCase input;
  };
  auto args = std::make_shared<Args>();
  args->input.kind = kind.kind;
  add->add_option("ID", args->customer, "customer id")->required();
  add->add_option("--category", args->input.category,
                  std::string("what it is about, e.g. ") + kind.category_example)
      ->required();
  add->add_option("--channel", args->input.channel,
                  "phone, sms, wechat, email, in-person, online, letter");
  add->add_option("--severity", args->input.severity, "low, medium (default), high, urgent");
  add->add_option("--note", args->input.note, "the customer's words");
  add->add_option("--handler", args->input.handler,
                  "who handles it (default: this tablet's agent)");
  if (std::string(kind.kind) == "repair") {
    add->add_option("--unit", args->input.unit, "the flat, e.g. 3-1502");
  }
  add->add_option("--at", args->at, "when it came in (default now)");
  add->callback([&ctx, args] {
    args->input.at_ms = OptionalTime(args->at);
    std::string id = ctx.session().OpenServiceCase(args->customer, args->input).id;
    if (ctx.json) return PrintJson({{"id", id}});
    std::cout << id << '\n';
  });
}

void AddStepCommand(CLI::App& parent, Context& ctx, const CaseKind& kind,
                    const StepCommand& command) {
  auto* sub = parent.add_subcommand(command.command, command.help);
  struct Args {
    std::string id, at, satisfaction;
    ServiceCaseStep step;
  };
  auto args = std::make_shared<Args>();
  args->step.step = command.step;
  std::string kind_name = kind.kind;
  sub->add_option("CASE_ID", args->id, std::string("the ") + kind.kind + "'s id")->required();
  sub->add_option("--note", args->step.note, "what was said or done");
  sub->add_option("--handler", args->step.handler, "hand the case over to this agent");
  bool ends_case = std::string(command.step) != kind.first_step_column;
  if (ends_case) {
    sub->add_option("--satisfaction", args->satisfaction,
                    "the customer's satisfaction, 1 (very dissatisfied) to 5 (very satisfied)");
  }
  sub->add_option("--at", args->at, "when (default now)");
  sub->callback([&ctx, args, kind_name] {
    args->step.at_ms = OptionalTime(args->at);
    if (!args->satisfaction.empty()) {
      args->step.satisfaction =
          ParseWholeNumber("satisfaction", args->satisfaction, kMinSatisfaction, kMaxSatisfaction);
    }
    ctx.session().AdvanceServiceCase(kind_name, args->id, args->step);
    if (ctx.json) return PrintJson({{"id", args->id}, {"status", args->step.step}});
    std::cout << kind_name << ' ' << args->id << " is now " << args->step.step << '\n';
  });
}

void AddListCommand(CLI::App& parent, Context& ctx, const CaseKind& kind) {
  auto* list = parent.add_subcommand("list", std::string(kind.kind) + "s, oldest first");
  auto open_only = std::make_shared<bool>(false);
  list->add_flag("--open", *open_only, "only those not yet ended");
  list->callback([&ctx, open_only, &kind] {
    auto cases = ServiceCases(ctx.Open()).List(kind.kind, *open_only);
    if (ctx.json) return PrintJson(cases);
    std::string first = std::string(kind.first_step_column) + "_at";
    std::string last = std::string(kind.last_step_column) + "_at";
    std::vector<std::vector<std::string>> rows;
    for (const json& c : cases) {
      rows.push_back({Show(c, "id"), LocalTimeText(Show(c, "opened_at")), Show(c, "status"),
                      Show(c, "customer_name"), Show(c, "category"), Show(c, "severity"),
                      Show(c, "handler"), LocalTimeText(Show(c, first.c_str())),
                      LocalTimeText(Show(c, last.c_str())), Show(c, "satisfaction")});
    }
    std::string first_label = kind.first_step_column, last_label = kind.last_step_column;
    for (std::string* label : {&first_label, &last_label}) {
      for (char& ch : *label) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    PrintTable({"ID", "OPENED", "STATUS", "CUSTOMER", "CATEGORY", "SEVERITY", "HANDLER",
                first_label, last_label, "SATISFACTION"},
               rows);
  });
}

}  // namespace

void AddServiceCommands(CLI::App& app, Context& ctx) {
  for (const CaseKind& kind : CaseKinds()) {
    auto* command = app.add_subcommand(kind.kind, kind.help);
    command->require_subcommand(1);
    AddOpenCommand(*command, ctx, kind);
    for (const StepCommand& step : kind.steps) AddStepCommand(*command, ctx, kind, step);
    AddListCommand(*command, ctx, kind);
  }
}

}  // namespace fieldcrm::cli
