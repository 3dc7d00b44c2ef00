// survey define | list | answer | report: questionnaires filled in offline, NPS and satisfaction.
#include <iostream>

#include "context.h"
#include "fieldcrm/application/surveys.h"
#include "fieldcrm/base/error.h"
#include "fieldcrm/cli/output.h"
#include "fieldcrm/model/fields.h"
#include "json_input.h"

namespace fieldcrm::cli {

using nlohmann::json;

namespace {

std::string ShowNumber(const json& row, const char* key) {
  return row[key].is_null() ? "-" : Show(row, key);
}

}  // namespace

void AddSurveyCommands(CLI::App& app, Context& ctx) {
  auto* survey = app.add_subcommand("survey", "questionnaires (满意度回访), NPS and satisfaction");
  survey->require_subcommand(1);
  {
    auto* define = survey->add_subcommand("define", "store a questionnaire from a JSON file");
    auto file = std::make_shared<std::string>();
    define->add_option("FILE", *file, "the questionnaire (see docs/plugins.md)")->required();
    define->callback([&ctx, file] {
      std::string key = Surveys(ctx.Open(), ctx.Plugins()).Define(ReadJsonFile(*file));
      ctx.json ? PrintJson({{"key", key}}) : void(std::cout << key << '\n');
    });
  }
  {
    auto* list = survey->add_subcommand("list", "the questionnaires on this store");
    list->callback([&ctx] {
      auto surveys = Surveys(ctx.Open(), ctx.Plugins()).List();
      if (ctx.json) return PrintJson(surveys);
      std::vector<std::vector<std::string>> rows;
      for (const json& s : surveys) {
        rows.push_back({Show(s, "key"), Show(s, "title"),
                        std::to_string(s["definition"]["questions"].size())});
      }
      PrintTable({"KEY", "TITLE", "QUESTIONS"}, rows);
    });
  }
  {
    auto* answer = survey->add_subcommand("answer", "record a customer's answers");
    struct Args {
      std::string customer, key, at;
      std::vector<std::string> answers;
    };
    auto args = std::make_shared<Args>();
    answer->add_option("ID", args->customer, "customer id")->required();
    answer->add_option("SURVEY", args->key, "questionnaire key")->required();
    answer->add_option("ANSWERS", args->answers, "question=answer ... (a,b for several choices)")
        ->required();
    answer->add_option("--at", args->at, "when it was filled in (ISO-8601; default now)");
    answer->callback([&ctx, args] {
      json answers = json::object();
      for (const std::string& item : args->answers) {
        size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
          throw InvalidInput("expected question=answer, got '" + item + "'");
        }
        answers[item.substr(0, eq)] = item.substr(eq + 1);
      }
      std::optional<int64_t> at;
      if (!args->at.empty()) at = ParseTime(args->at, "--at");
      std::string id =
          Surveys(ctx.Open(), ctx.Plugins()).Answer(args->customer, args->key, answers, at);
      ctx.json ? PrintJson({{"id", id}}) : void(std::cout << id << '\n');
    });
  }
  {
    auto* report = survey->add_subcommand("report", "NPS and satisfaction by team, agent, period");
    struct Args {
      Surveys::ReportQuery query;
      std::string survey, from, to;
    };
    auto args = std::make_shared<Args>();
    report->add_option("--by", args->query.by, "team, agent, month, quarter or survey")
        ->capture_default_str();
    report->add_option("--survey", args->survey, "only this questionnaire");
    report->add_option("--from", args->from, "responses at or after this time");
    report->add_option("--to", args->to, "responses before this time");
    report->callback([&ctx, args] {
      Surveys::ReportQuery query = args->query;
      if (!args->survey.empty()) query.survey = args->survey;
      if (!args->from.empty()) query.from_ms = ParseTime(args->from, "--from");
      if (!args->to.empty()) query.to_ms = ParseTime(args->to, "--to");
      json out = Surveys(ctx.Open(), ctx.Plugins()).Report(query);
      if (ctx.json) return PrintJson(out);
      std::vector<std::vector<std::string>> rows;
      json all = out["rows"];
      all.push_back(out["total"]);
      for (const json& r : all) {
        rows.push_back({Show(r, "group"), Show(r, "responses"), ShowNumber(r, "nps"),
                        Show(r, "promoters"), Show(r, "passives"), Show(r, "detractors"),
                        ShowNumber(r, "satisfaction")});
      }
      PrintTable({Show(out, "by") == "survey" ? "SURVEY" : "GROUP", "RESPONSES", "NPS", "PROMOTERS",
                  "PASSIVES", "DETRACTORS", "SATISFACTION %"},
                 rows);
    });
  }
}

}  // namespace fieldcrm::cli
