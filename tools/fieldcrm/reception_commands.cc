// reception duty | walkin | done | queue | log: walk-in rotation at the sales office
// (来访轮流接待) through the reception plugin (fieldcrm/application/reception.h). Times are
// the session's ("now", or --as-of); the day is the local calendar day.
#include <iostream>

#include "context.h"
#include "fieldcrm/application/reception.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/local_time.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

std::string Joined(const json& names) {
  return names.empty() ? "-" : Escaped(Show(names));
}

void PrintQueue(Context& ctx, const json& queue) {
  if (ctx.json) return PrintJson(queue);
  std::cout << "queue: " << Joined(queue["order"]) << "\nwith a customer: " << Joined(queue["busy"])
            << '\n';
}

void PrintLog(const json& log) {
  std::cout << "reception log " << log["day"].get<std::string>()
            << " (on duty: " << Joined(log["duty"]) << ")\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& w : log["walk_ins"]) {
    rows.push_back({LocalTimeText(w.value("at", "")), w.value("agent", ""), w.value("name", ""),
                    w.value("phone", ""), w.value("source", ""),
                    w.value("returning", false) ? "returning" : "new", w.value("reason", "")});
  }
  PrintTable({"AT", "AGENT", "CUSTOMER", "PHONE", "SOURCE", "NEW/RETURNING", "BY"}, rows);
  std::vector<std::vector<std::string>> agents;
  for (const auto& [agent, tally] : log["by_agent"].items()) {
    agents.push_back({agent, Show(tally, "new"), Show(tally, "returning"), Show(tally, "total")});
  }
  if (!agents.empty()) PrintTable({"AGENT", "NEW", "RETURNING", "TOTAL"}, agents);
  std::vector<std::vector<std::string>> sources;
  for (const auto& [source, count] : log["by_source"].items()) {
    sources.push_back({source, Show(count)});
  }
  if (!sources.empty()) PrintTable({"SOURCE", "WALK-INS"}, sources);
  const json& totals = log["totals"];
  std::cout << Show(totals, "walk_ins") << " walk-ins: " << Show(totals, "new") << " new, "
            << Show(totals, "returning") << " returning\n";
}

}  // namespace

void AddReceptionCommands(CLI::App& app, Context& ctx) {
  auto* reception = app.add_subcommand(
      "reception", "walk-in rotation at the sales office (来访轮流接待) and its daily log");
  reception->require_subcommand(1);

  auto* duty = reception->add_subcommand("duty", "set today's agents on duty, in turn order");
  auto agents = std::make_shared<std::vector<std::string>>();
  duty->add_option("AGENTS", *agents, "the agents, first turn first")->required();
  duty->callback([&ctx, agents] { PrintQueue(ctx, Reception(ctx.session()).SetDuty(*agents)); });

  auto* walkin = reception->add_subcommand(
      "walkin", "a customer walked in: who receives them and why (turn, returning, skipped)");
  auto walk_in = std::make_shared<WalkIn>();
  walkin->add_option("--phone", walk_in->phone, "their phone number")->required();
  walkin->add_option("--name", walk_in->name, "their name (registers a new customer)");
  walkin->add_option("--source", walk_in->source, "how they found the project");
  walkin->callback([&ctx, walk_in] {
    WalkInOutcome outcome = Reception(ctx.session()).Receive(*walk_in);
    ctx.Warn(outcome.warnings);
    const json& d = outcome.decision;
    if (ctx.json) {
      json out = d;
      out["customer"] = outcome.customer;
      out["registered"] = outcome.registered;
      return PrintJson(out);
    }
    std::cout << Escaped(d.value("agent", "")) << ": " << Escaped(d.value("message", "")) << '\n';
    if (outcome.registered) std::cout << "registered as customer " << outcome.customer << '\n';
  });

  auto* done = reception->add_subcommand("done", "an agent is done with their customer");
  auto agent = std::make_shared<std::string>();
  done->add_option("AGENT", *agent, "the agent")->required();
  done->callback([&ctx, agent] { PrintQueue(ctx, Reception(ctx.session()).Done(*agent)); });

  auto* queue = reception->add_subcommand("queue", "whose turn it is and who is busy");
  auto queue_day = std::make_shared<std::string>();
  queue->add_option("--date", *queue_day, "that day's queue (default today)");
  queue->callback([&ctx, queue_day] {
    std::optional<std::string> day;
    if (!queue_day->empty()) day = *queue_day;
    PrintQueue(ctx, Reception(ctx.session()).Queue(day));
  });

  auto* log = reception->add_subcommand(
      "log",
      "the day's reception log for the evening meeting (夕会): who received whom, new "
      "vs returning, sources");
  auto log_day = std::make_shared<std::string>();
  log->add_option("--date", *log_day, "the day (default today)");
  log->callback([&ctx, log_day] {
    std::optional<std::string> day;
    if (!log_day->empty()) day = *log_day;
    json out = Reception(ctx.session()).Log(day);
    if (ctx.json) return PrintJson(out);
    PrintLog(out);
  });
}

}  // namespace fieldcrm::cli
