// How many of a customer's complaints were open at a time: opened by then, neither resolved nor
// closed by then (fieldcrm/model/service_cases.h). What tiering reads for service priority
// (plugin API 2.4's host open_complaints), from the synced records only, so replicas agree.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

// Of these complaint documents (a bundle's complaints), those open at as_of_ms.
int32_t OpenComplaintsAt(const nlohmann::json& complaints, int64_t as_of_ms);
// Every live customer (by root id) with a complaint open at as_of_ms, and how many.
std::map<std::string, int32_t> OpenComplaintsByCustomer(Database& db, int64_t as_of_ms);

}  // namespace fieldcrm
