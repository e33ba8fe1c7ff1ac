// Who may PURGE on the main port: loopback, the configured CIDRs, or anyone presenting
// "Authorization: Bearer <token>" when a token is configured (design: Interfaces).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lacquer::edge {

class PurgeAcl {
 public:
  // CIDRs were validated by conf/; an unparsable one is ignored here.
  PurgeAcl(bool allow_loopback, const std::vector<std::string>& cidrs, std::string token);

  bool allows(std::string_view peer_ip, std::optional<std::string_view> authorization) const;

 private:
  struct Net {
    std::array<std::uint8_t, 16> addr{};  // IPv4 mapped into IPv6 (::ffff:a.b.c.d)
    int prefix_bits = 0;
  };
  static std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view ip);
  static bool contains(const Net& net, const std::array<std::uint8_t, 16>& ip);
  std::vector<Net> nets_;
  std::string token_;
};

}  // namespace lacquer::edge
