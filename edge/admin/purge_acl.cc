#include "edge/admin/purge_acl.h"

#include "http/message.h"

namespace lacquer::edge {
namespace {
std::vector<std::string> with_loopback(bool allow_loopback, const std::vector<std::string>& cidrs) {
  std::vector<std::string> all;
  if (allow_loopback) all = {"127.0.0.0/8", "::1/128"};
  all.insert(all.end(), cidrs.begin(), cidrs.end());
  return all;
}
}  // namespace

PurgeAcl::PurgeAcl(bool allow_loopback, const std::vector<std::string>& cidrs, std::string token)
    : nets_(with_loopback(allow_loopback, cidrs)), token_(std::move(token)) {}

bool PurgeAcl::allows(std::string_view peer_ip, std::optional<std::string_view> authorization) const {
  if (nets_.contains(peer_ip)) return true;
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
