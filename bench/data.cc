#include "data.h"

#include <nlohmann/json.hpp>

#include "fieldcrm/storage/hlc.h"
#include "fieldcrm/storage/uuid.h"

namespace fieldcrm::bench {

namespace {

const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                           "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"};
const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊",   "军", "洋",
                        "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"};
const char* kStages[] = {"prospect", "prospect", "prospect", "intent", "intent", "buyer", "owner"};
const char* kSources[] = {"walk-in", "call", "event", "online", "referral", "broker"};
const char* kDistricts[] = {"西湖区", "滨江区", "余杭区", "拱墅区", "上城区", "萧山区"};
const char* kNotes[] = {"想要学区房，关注地铁", "改善型，三房两厅",     "投资，关注租金回报",
                        "首套刚需，预算有限",   "老业主推荐，再次到访", "周末带家人看样板间"};

template <size_t N>
const char* Pick(std::mt19937& rng, const char* (&items)[N]) {
  return items[rng() % N];
}

std::string Quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

}  // namespace

std::string CustomerFaker::Name() {
  std::string name = Pick(rng_, kSurnames);
  name += Pick(rng_, kGiven);
  if (rng_() % 2) name += Pick(rng_, kGiven);
  return name;
}

std::string CustomerFaker::Phone(int64_t index) {
  // Mobile numbers from +86 138 1000 0000 on, one per index (+86 138... for the first 90 million,
  // as before; then 139..149), so that tablets seeded apart never share a buyer by accident.
  return "+86" + std::to_string(13'810'000'000 + index % 1'190'000'000);
}

std::vector<std::pair<std::string, std::string>> CustomerFaker::Fields(int64_t index) {
  int64_t budget = (150 + static_cast<int64_t>(rng_() % 850)) * 10'000;
  std::string agent = agent_.empty() ? "顾问" + std::to_string(rng_() % 40) : agent_;
  return {{"agent", Quoted(agent)},
          {"budget", std::to_string(budget)},
          {"city", Quoted("杭州")},
          {"district", Quoted(Pick(rng_, kDistricts))},
          {"name", Quoted(Name())},
          {"notes", Quoted(Pick(rng_, kNotes))},
          {"phone", Quoted(Phone(index))},
          {"source", Quoted(Pick(rng_, kSources))},
          {"stage", Quoted(Pick(rng_, kStages))},
          {"team", Quoted(team_.empty() ? "team-" + std::to_string(rng_() % 4) : team_)}};
}

std::pair<std::string, std::string> CustomerFaker::Edit() {
  switch (rng_() % 4) {
    case 0:
      return {"stage", Quoted(Pick(rng_, kStages))};
    case 1:
      return {"budget", std::to_string((150 + static_cast<int64_t>(rng_() % 850)) * 10'000)};
    case 2:
      return {"notes", Quoted(Pick(rng_, kNotes))};
    default:
      return {"district", Quoted(Pick(rng_, kDistricts))};
  }
}

std::vector<Change> MakeCustomerChanges(const std::string& device, int64_t count, uint32_t seed,
                                        const std::string& team, const std::string& agent,
                                        int64_t start_ms) {
  CustomerFaker faker(seed, team, agent);
  std::vector<Change> changes;
  changes.reserve(count);
  Hlc hlc = HlcFromMillis(start_ms);
  for (int64_t customer = 0; static_cast<int64_t>(changes.size()) < count; ++customer) {
    std::string id = NewUuidV7(HlcMillis(hlc), static_cast<uint16_t>(customer & 0xFFF));
    for (auto& [field, value] : faker.Fields(customer + int64_t{seed} * 1'000'000)) {
      if (static_cast<int64_t>(changes.size()) == count) break;
      ++hlc;
      changes.push_back(
          {device, static_cast<int64_t>(changes.size()) + 1, hlc, 0, "customer", id, field, value});
    }
  }
  return changes;
}

}  // namespace fieldcrm::bench
