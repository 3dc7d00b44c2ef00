#include "fieldcrm/server/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {
namespace {

// address in inet_ntop's canonical form (so "::0001" and "::1" compare equal); nullopt when it
// is not an IPv4 or IPv6 address.
std::optional<std::string> Canonical(std::string address) {
  const auto blank = [](unsigned char c) { return c == ' ' || c == '\t'; };
  while (!address.empty() && blank(static_cast<unsigned char>(address.back()))) address.pop_back();
  address.erase(address.begin(), std::find_if_not(address.begin(), address.end(), [&](char c) {
                  return blank(static_cast<unsigned char>(c));
                }));
  char text[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return inet_ntop(AF_INET, &v4, text, sizeof text);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    return inet_ntop(AF_INET6, &v6, text, sizeof text);
  }
  return std::nullopt;
}

}  // namespace

ClientAddresses::ClientAddresses(const std::vector<std::string>& trusted_proxies) {
  for (const std::string& proxy : trusted_proxies) {
    std::optional<std::string> address = Canonical(proxy);
    if (!address) {
      throw InvalidInput(
          "trusted proxy '" + proxy +
          "' is not an IP address: give the load balancer's address (--trusted-proxy "
          "10.0.0.5, or ::1)");
    }
    trusted_.push_back(*address);
  }
}

bool ClientAddresses::Trusted(const std::string& address) const {
  std::optional<std::string> canonical = Canonical(address);
  return canonical && std::find(trusted_.begin(), trusted_.end(), *canonical) != trusted_.end();
}

std::string ClientAddresses::Of(const std::string& peer, const std::string& forwarded_for) const {
  if (forwarded_for.empty() || !Trusted(peer)) return peer;
  std::vector<std::string> hops;
  for (size_t begin = 0;;) {
    size_t comma = forwarded_for.find(',', begin);
    hops.push_back(forwarded_for.substr(begin, comma - begin));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    std::optional<std::string> address = Canonical(*hop);
    // A hop that is no address is not the proxies' writing: believe nothing further left.
    if (!address) return peer;
    if (!Trusted(*address) || std::next(hop) == hops.rend()) return *address;
  }
  return peer;
}

}  // namespace fieldcrm::sync
