// Who sent a request, for the failed-login limit and the request log. Behind a load balancer
// every connection comes from the balancer, which names the client in X-Forwarded-For (haproxy's
// `option forwardfor` appends it). The header is believed only on connections from the proxies
// head office lists, since anyone else could write any address into it, and read from its right
// end: the first address there that is not a listed proxy is the client (what a client wrote
// itself sits to the left of what the proxies appended).
#pragma once

#include <string>
#include <vector>

namespace fieldcrm::sync {

class ClientAddresses {
 public:
  // trusted_proxies: IPv4 or IPv6 addresses; throws InvalidInput naming one that is not.
  explicit ClientAddresses(const std::vector<std::string>& trusted_proxies = {});

  // The client of a connection from peer that sent forwarded_for ("" when it sent none): peer
  // itself unless peer is a listed proxy that forwarded a well-formed address.
  std::string Of(const std::string& peer, const std::string& forwarded_for) const;
  // The proxies, as inet_ntop writes them (the form a connection's peer address takes).
  const std::vector<std::string>& trusted() const { return trusted_; }

 private:
  bool Trusted(const std::string& address) const;

  std::vector<std::string> trusted_;  // in the canonical text inet_ntop gives
};

}  // namespace fieldcrm::sync
