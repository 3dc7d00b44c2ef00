// The day's reception log for the evening meeting (夕会): who received whom, new vs returning,
// and where the walk-ins came from, from the day's reception records.
#pragma once

#include <nlohmann/json.hpp>

namespace rotation {

// {"day", "walk_ins": [{at, agent, name, phone, source, returning, reason, skipped, customer (the
//  id the walk-in was registered as, when it was)}...] by time,
//  "by_agent": {agent: {"new", "returning", "total"}}, "by_source": {source: count},
//  "totals": {"walk_ins", "new", "returning"}, "duty": the latest duty list}
nlohmann::json EveningLog(const std::string& day, nlohmann::json records);

}  // namespace rotation
