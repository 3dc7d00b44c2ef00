// Questionnaires: their JSON definition and how a response is checked and scored.
//   {"key": "handover-2026", "title": "交房满意度回访", "questions": [
//     {"id": "recommend", "type": "nps", "text": "您有多大可能向亲友推荐我们？"},
//     {"id": "service", "type": "single", "text": "...", "options": ["很满意", "满意", "一般",
//     "不满意"],
//      "scores": [5, 4, 3, 1], "satisfaction": true},
//     {"id": "liked", "type": "multiple", "options": ["户型", "物业", "交通"]},
//     {"id": "comment", "type": "text"}]}
// Types: nps (0-10), single, multiple, text. Choice and NPS questions are required unless
// "required": false; text questions are optional unless "required": true. The one single-choice
// question marked "satisfaction" (with a score per option) gives the response's satisfaction.
#pragma once

#include <nlohmann/json.hpp>

namespace surveys {

// Checks a definition; returns it with defaults filled in. Throws std::invalid_argument.
nlohmann::json ValidateQuestionnaire(const nlohmann::json& definition);

// Checks answers (question id -> text as typed, or a JSON number/array) against a validated
// definition. Returns {"answers": {...typed...}, "nps": 0-10?, "satisfaction": 0-100?}.
nlohmann::json ScoreResponse(const nlohmann::json& definition, const nlohmann::json& answers);

}  // namespace surveys
