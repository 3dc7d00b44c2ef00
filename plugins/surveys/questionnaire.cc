#include "questionnaire.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>

namespace surveys {

using nlohmann::json;

namespace {

[[noreturn]] void Reject(const std::string& what) {
  throw std::invalid_argument(what);
}

std::string Text(const json& object, const char* field, const std::string& where) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    Reject(where + " needs a non-empty \"" + field + "\"");
  }
  return *it;
}

json CheckQuestion(json q, std::set<std::string>& ids, bool& has_nps, bool& has_satisfaction) {
  if (!q.is_object()) Reject("every question must be a JSON object");
  std::string id = Text(q, "id", "a question");
  if (!ids.insert(id).second) Reject("question id '" + id + "' is used twice");
  std::string where = "question '" + id + "'";
  std::string type = Text(q, "type", where);
  if (type != "nps" && type != "single" && type != "multiple" && type != "text") {
    Reject(where + " has type '" + type + "' (expected nps, single, multiple or text)");
  }
  Text(q, "text", where);
  if (!q.contains("required")) q["required"] = type != "text";
  if (type == "nps") {
    if (has_nps) Reject("a questionnaire has at most one nps question");
    has_nps = true;
  }
  if (type == "single" || type == "multiple") {
    const json& options = q.value("options", json::array());
    std::set<std::string> seen;
    for (const json& o : options) {
      if (!o.is_string() || o.get<std::string>().empty() || !seen.insert(o).second) {
        Reject(where + " needs distinct, non-empty text options");
      }
    }
    if (seen.size() < 2) Reject(where + " needs at least two options");
  }
  if (q.value("satisfaction", false)) {
    if (type != "single")
      Reject(where + ": only a single-choice question can measure satisfaction");
    if (has_satisfaction) Reject("a questionnaire has at most one satisfaction question");
    has_satisfaction = true;
    const json& scores = q.value("scores", json::array());
    if (scores.size() != q["options"].size() ||
        !std::all_of(scores.begin(), scores.end(), [](const json& s) { return s.is_number(); })) {
      Reject(where + " needs one number in \"scores\" per option");
    }
  }
  return q;
}

json TypedAnswer(const json& q, const json& raw) {
  std::string where = "answer to '" + q["id"].get<std::string>() + "'";
  std::string type = q["type"];
  if (type == "text") return raw.is_string() ? raw : json(raw.dump());
  if (type == "nps") {
    double value = -1;
    if (raw.is_number()) value = raw.get<double>();
    if (raw.is_string()) {
      try {
        size_t used = 0;
        value = std::stod(raw.get<std::string>(), &used);
        if (used != raw.get<std::string>().size()) value = -1;
      } catch (const std::exception&) {
      }
    }
    if (value < 0 || value > 10 || value != std::floor(value)) {
      Reject(where + " must be a whole number from 0 to 10, got " + raw.dump());
    }
    return static_cast<int>(value);
  }
  const json& options = q["options"];
  auto check = [&](const std::string& choice) {
    if (std::find(options.begin(), options.end(), choice) == options.end()) {
      Reject(where + ": '" + choice + "' is not one of " + options.dump());
    }
    return choice;
  };
  if (type == "single") {
    if (!raw.is_string()) Reject(where + " must be one option");
    return check(raw);
  }
  json chosen = json::array();
  json items = raw;
  if (raw.is_string()) {  // typed as "a,b"
    items = json::array();
    std::string text = raw, item;
    for (char c : text + ",") {
      if (c != ',') {
        item += c;
      } else if (!item.empty()) {
        items.push_back(item);
        item.clear();
      }
    }
  }
  if (!items.is_array()) Reject(where + " must be a list of options");
  for (const json& item : items) {
    if (!item.is_string()) Reject(where + " must be a list of options");
    if (std::find(chosen.begin(), chosen.end(), item) == chosen.end())
      chosen.push_back(check(item));
  }
  return chosen;
}

}  // namespace

json ValidateQuestionnaire(const json& definition) {
  if (!definition.is_object()) Reject("a questionnaire must be a JSON object");
  std::string key = Text(definition, "key", "the questionnaire");
  if (!std::regex_match(key, std::regex("[a-z0-9][a-z0-9-]{0,63}"))) {
    Reject("questionnaire key '" + key + "' must be lowercase letters, digits and '-'");
  }
  Text(definition, "title", "the questionnaire");
  const json& questions = definition.value("questions", json::array());
  if (!questions.is_array() || questions.empty()) Reject("a questionnaire needs questions");
  json out = definition;
  out["questions"] = json::array();
  std::set<std::string> ids;
  bool has_nps = false, has_satisfaction = false;
  for (const json& q : questions) {
    out["questions"].push_back(CheckQuestion(q, ids, has_nps, has_satisfaction));
  }
  return out;
}

json ScoreResponse(const json& definition, const json& answers) {
  if (!answers.is_object()) Reject("answers must be a JSON object of question id to answer");
  json out = {{"answers", json::object()}};
  for (const auto& answer : answers.items()) {
    const std::string& id = answer.key();  // not a structured binding: clang 14 cannot capture one
    const json& questions = definition["questions"];
    if (std::none_of(questions.begin(), questions.end(),
                     [&](const json& q) { return q["id"] == id; })) {
      Reject("'" + definition["key"].get<std::string>() + "' has no question '" + id + "'");
    }
  }
  for (const json& q : definition["questions"]) {
    std::string id = q["id"];
    if (!answers.contains(id) || answers[id].is_null()) {
      if (q["required"] == true) Reject("question '" + id + "' needs an answer");
      continue;
    }
    json typed = TypedAnswer(q, answers[id]);
    out["answers"][id] = typed;
    if (q["type"] == "nps") out["nps"] = typed;
    if (q.value("satisfaction", false)) {
      const json& options = q["options"];
      size_t index = std::find(options.begin(), options.end(), typed) - options.begin();
      const json& scores = q["scores"];
      double best = *std::max_element(scores.begin(), scores.end());
      double percent = best > 0 ? 100.0 * scores[index].get<double>() / best : 0;
      out["satisfaction"] = std::round(percent * 10) / 10;
    }
  }
  return out;
}

}  // namespace surveys
