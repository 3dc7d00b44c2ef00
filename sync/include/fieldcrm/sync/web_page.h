// What the web apps fieldcrm serves (head office's dashboard in server/, the agent's app in
// tablet/) share: their pages compiled in by cmake/embed.cmake, and reading their cookies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fieldcrm::sync {

struct EmbeddedAsset {
  std::string_view name;  // file name, e.g. "app.js"
  std::string_view body;
};

// The body of the asset called name; throws std::logic_error when the build left it out.
std::string_view FindAsset(const std::vector<EmbeddedAsset>& assets, std::string_view name);

// The value of cookie `name` in a Cookie request header ("" when absent).
std::string CookieValue(const std::string& cookie_header, const std::string& name);

}  // namespace fieldcrm::sync
