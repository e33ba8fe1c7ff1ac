// Sites and pools as the running process uses them, built from a Config: which site a Host
// belongs to (exact names, then "*.suffix" wildcards from the longest suffix, then the default
// site), each site's cache policy with its overrides applied, and its pool. An immutable value:
// a reload builds a new one and swaps the pointer (see README, "Sites and origin pools").
//
// With no [[site]] the [origin] table is one implicit site "default" that takes every Host,
// on a pool "default" of one server: a single --origin works as it always did.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conf/cidr.h"
#include "conf/config.h"

namespace lacquer::conf {

// The [cache] keys a site may override, resolved.
struct SitePolicy {
  std::uint32_t max_ttl_s = 0;
  std::uint32_t default_grace_s = 0;
  std::uint32_t heuristic_max_ttl_s = 0;
  std::uint32_t hit_for_miss_s = 0;
  bool store_set_cookie = false;
  bool honour_client_no_cache = false;
};

// The [cache] policy with no site overrides (what a request gets without a site).
SitePolicy policy_from(const CacheConfig& cache);

// A site's header rules as the engine applies them (http/header_edits.h): the names a rule
// removes or replaces, and the set rules as preformatted "Name: value\r\n" lines, made once.
struct CompiledHeaderRules {
  std::vector<std::string> drop;
  std::string add;
  bool empty() const { return drop.empty() && add.empty(); }
};
CompiledHeaderRules compile_header_rules(const HeaderRulesConfig& rules);

struct RoutedSite {
  std::string name;
  std::size_t pool = 0;  // index into Routing::pools()
  SitePolicy policy;
  std::vector<std::string> purge_tokens;
  std::vector<std::string> exact_hosts;  // its hosts that are not wildcards (admin prefix purges)
  CompiledHeaderRules request_rules;     // to the origin
  CompiledHeaderRules response_rules;    // to the client
};

class Routing {
 public:
  static constexpr int kNoSite = -1;

  // `config` must have passed load_config's checks (every site names a known pool).
  explicit Routing(const Config& config);

  // The site for a Host value or a cache key's host (any port is ignored; case is folded only
  // for exact ASCII upper case, as cache keys are already lower case). kNoSite when no site
  // takes it and there is no default site. No allocation.
  int match(std::string_view host) const;

  const RoutedSite& site(int index) const { return sites_[static_cast<std::size_t>(index)]; }
  std::size_t site_count() const { return sites_.size(); }
  int find_site(std::string_view name) const;  // kNoSite when unknown
  const std::vector<PoolConfig>& pools() const { return pools_; }
  std::uint16_t unknown_host_status() const { return unknown_host_status_; }
  bool implicit() const { return implicit_; }  // built from [origin] alone
  // server.trusted_proxies: peers whose forwarding fields are believed.
  const CidrSet& trusted_proxies() const { return trusted_proxies_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using NameMap = std::unordered_map<std::string, int, Hash, std::equal_to<>>;

  std::vector<RoutedSite> sites_;
  std::vector<PoolConfig> pools_;
  NameMap exact_;
  NameMap wildcard_;  // suffix ("example.com" for "*.example.com") -> site
  int default_site_ = kNoSite;
  std::uint16_t unknown_host_status_ = 421;
  bool implicit_ = false;
  CidrSet trusted_proxies_;
};

}  // namespace lacquer::conf
