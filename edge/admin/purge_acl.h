// Who may PURGE on the main port: loopback, the configured CIDRs, or anyone presenting
// "Authorization: Bearer <token>" when a token is configured (design: Interfaces).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/cidr.h"

namespace lacquer::edge {

class PurgeAcl {
 public:
  // CIDRs were validated by conf/ (conf/cidr.h); an unparsable one is ignored here.
  PurgeAcl(bool allow_loopback, const std::vector<std::string>& cidrs, std::string token);

  bool allows(std::string_view peer_ip, std::optional<std::string_view> authorization) const;

 private:
  conf::CidrSet nets_;
  std::string token_;
};

}  // namespace lacquer::edge
