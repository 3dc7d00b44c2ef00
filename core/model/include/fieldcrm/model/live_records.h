// Reading records by kind: the documents the records table holds for live (not deleted)
// records, for the model and the layers above that keep their own kinds (surveys).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// Documents of the live records of a kind, in id (creation) order.
std::vector<nlohmann::json> LiveRecords(Store& store, const std::string& kind);

// The document of live record `id` when it is of that kind.
std::optional<nlohmann::json> LiveRecord(Store& store, const std::string& id,
                                         const std::string& kind);

// Documents of the live survey responses of live customers, in id order: to survey `survey`
// only (all when nullopt), answered at or after `from` and before `to` (ISO texts; open ends
// when nullopt).
std::vector<nlohmann::json> LiveSurveyResponses(Store& store,
                                                const std::optional<std::string>& survey,
                                                const std::optional<std::string>& from,
                                                const std::optional<std::string>& to);

}  // namespace fieldcrm
