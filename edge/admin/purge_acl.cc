#include "edge/admin/purge_acl.h"

#include <arpa/inet.h>

#include <cstring>

#include "http/message.h"

namespace lacquer::edge {

std::optional<std::array<std::uint8_t, 16>> PurgeAcl::parse_ip(std::string_view ip) {
  std::string s(ip);
  std::array<std::uint8_t, 16> out{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool PurgeAcl::contains(const Net& net, const std::array<std::uint8_t, 16>& ip) {
  int bits = net.prefix_bits;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((ip[i] & mask) != (net.addr[i] & mask)) return false;
  }
  return true;
}

PurgeAcl::PurgeAcl(bool allow_loopback, const std::vector<std::string>& cidrs, std::string token)
    : token_(std::move(token)) {
  std::vector<std::string> all;
  if (allow_loopback) all = {"127.0.0.0/8", "::1/128"};
  all.insert(all.end(), cidrs.begin(), cidrs.end());
  for (const auto& c : all) {
    auto slash = c.find('/');
    auto ip = parse_ip(std::string_view(c).substr(0, slash));
    if (!ip) continue;
    bool v4 = c.find(':') == std::string::npos;
    int bits = slash == std::string::npos ? (v4 ? 32 : 128) : std::stoi(c.substr(slash + 1));
    nets_.push_back({*ip, v4 ? bits + 96 : bits});
  }
}

bool PurgeAcl::allows(std::string_view peer_ip, std::optional<std::string_view> authorization) const {
  if (auto ip = parse_ip(peer_ip))
    for (const auto& n : nets_)
      if (contains(n, *ip)) return true;
  if (token_.empty() || !authorization) return false;
  std::string_view a = *authorization;
  if (a.size() < 7 || !http::iequals(a.substr(0, 7), "Bearer ")) return false;
  std::string_view presented = a.substr(7);
  if (presented.size() != token_.size()) return false;
  unsigned char diff = 0;  // constant time: do not leak how much of the token matched
  for (std::size_t i = 0; i < token_.size(); ++i) diff |= static_cast<unsigned char>(presented[i] ^ token_[i]);
  return diff == 0;
}

}  // namespace lacquer::edge
