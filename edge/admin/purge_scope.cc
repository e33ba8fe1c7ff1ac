#include "edge/admin/purge_scope.h"

#include "http/message.h"
#include "purge/scopes.h"

namespace lacquer::edge {

namespace {

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;  // constant time: do not leak how much of a token matched
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool bearer_matches(std::optional<std::string_view> authorization, std::string_view token) {
  if (token.empty() || !authorization || authorization->size() < 7 || !http::iequals(authorization->substr(0, 7), "Bearer "))
    return false;
  return same_secret(authorization->substr(7), token);
}

bool is_loopback_address(std::string_view host) {
  return host == "::1" || host == "localhost" || host.starts_with("127.");
}

int site_of_token(const conf::Routing& routing, std::optional<std::string_view> authorization) {
  if (!authorization || authorization->size() < 7 || !http::iequals(authorization->substr(0, 7), "Bearer "))
    return conf::Routing::kNoSite;
  const std::string_view presented = authorization->substr(7);
  for (std::size_t i = 0; i < routing.site_count(); ++i)
    for (const auto& token : routing.site(static_cast<int>(i)).purge_tokens)
      if (same_secret(presented, token)) return static_cast<int>(i);
  return conf::Routing::kNoSite;
}

void scope_to_site(std::vector<PurgeTarget>& targets, std::string_view site_name) {
  const std::uint64_t scope = purge::site_scope_hash(site_name);
  for (auto& t : targets) {
    if (t.scope == purge::Scope::Global) {
      t = PurgeTarget{purge::Scope::Tag, scope, "site:" + std::string(site_name), {}};
    } else if (t.scope == purge::Scope::Tag) {
      t.key = purge::site_tag(scope, t.key);
    }
    t.site = site_name;
  }
}

}  // namespace lacquer::edge
