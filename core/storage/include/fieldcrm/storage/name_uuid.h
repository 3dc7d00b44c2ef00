// Name-based record ids (UUIDv5, RFC 9562): the same name gives the same id on every replica.
// Records that several devices may create independently for the same thing (a plugin's config,
// a survey, the reward for one signed deal) use them, so the per-field merge folds the copies
// into one record instead of keeping duplicates.
#pragma once

#include <string>
#include <string_view>

namespace fieldcrm {

std::string NameUuid(std::string_view name);

}  // namespace fieldcrm
