// IP addresses and CIDR blocks ("10.0.0.0/8", "fd00::/8", "::ffff:10.0.0.0/104") for the lists of
// trusted proxies: parsed once from the config, matched against a peer address per request.
// Pure (no sockets, no allocation when matching); fuzzed (conf/fuzz/cidr_fuzz.cc).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lacquer::conf {

// An IPv4 address is held mapped into IPv6 (::ffff:a.b.c.d), so one comparison serves both.
using IpAddress = std::array<std::uint8_t, 16>;

// nullopt unless `text` is a dotted-quad IPv4 address (four decimal octets, no leading zeros
// beyond "0") or an IPv6 address in RFC 4291 §2.2 text form (with "::" at most once and an
// optional trailing dotted quad). No zone ids, no brackets, no port.
std::optional<IpAddress> parse_ip(std::string_view text);

struct Cidr {
  IpAddress network{};  // host bits cleared
  int prefix_bits = 0;  // over the 128-bit (mapped) address
  bool v4 = false;      // written as IPv4: printed with prefix_bits - 96
  std::string to_string() const;
  bool contains(const IpAddress& ip) const noexcept;
  bool operator==(const Cidr&) const = default;
};

// nullopt unless `text` is an address, '/', and a decimal prefix length (at most 32 for IPv4,
// 128 for IPv6, no leading zeros). Host bits set below the prefix are cleared ("10.1.2.3/8" is
// 10.0.0.0/8), as nginx's set_real_ip_from and Varnish ACLs take them.
std::optional<Cidr> parse_cidr(std::string_view text);

// A list of blocks; `contains` answers whether an address falls in any.
class CidrSet {
 public:
  CidrSet() = default;
  // Entries must have passed parse_cidr (the config loader checks them); others are skipped.
  explicit CidrSet(const std::vector<std::string>& cidrs);
  bool empty() const noexcept { return blocks_.empty(); }
  bool contains(const IpAddress& ip) const noexcept;
  // The peer's address as text (what the listener reports); false when it does not parse.
  bool contains(std::string_view ip_text) const noexcept;

 private:
  std::vector<Cidr> blocks_;
};

}  // namespace lacquer::conf
