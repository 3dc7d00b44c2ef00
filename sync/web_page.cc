#include "fieldcrm/sync/web_page.h"

#include <stdexcept>

namespace fieldcrm::sync {

std::string_view FindAsset(const std::vector<EmbeddedAsset>& assets, std::string_view name) {
  for (const EmbeddedAsset& a : assets) {
    if (a.name == name) return a.body;
  }
  throw std::logic_error("web asset missing from the build: " + std::string(name));
}

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos && part.compare(start, name.size() + 1, name + "=") == 0) {
      return part.substr(start + name.size() + 1);
    }
    pos = end + 1;
  }
  return {};
}

}  // namespace fieldcrm::sync
