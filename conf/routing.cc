#include "conf/routing.h"

#include <array>

namespace lacquer::conf {

namespace {

SitePolicy resolve_policy(const CacheConfig& c, const SiteCacheOverrides& o) {
  SitePolicy p;
  p.max_ttl_s = o.max_ttl_s.value_or(c.max_ttl_s);
  p.default_grace_s = o.default_grace_s.value_or(c.default_grace_s);
  p.heuristic_max_ttl_s = o.heuristic_max_ttl_s.value_or(c.heuristic_max_ttl_s);
  p.hit_for_miss_s = o.hit_for_miss_s.value_or(c.hit_for_miss_s);
  p.store_set_cookie = o.store_set_cookie.value_or(c.store_set_cookie);
  p.honour_client_no_cache = o.honour_client_no_cache.value_or(c.honour_client_no_cache);
  return p;
}

}  // namespace

SitePolicy policy_from(const CacheConfig& cache) { return resolve_policy(cache, {}); }

CompiledHeaderRules compile_header_rules(const HeaderRulesConfig& rules) {
  CompiledHeaderRules out;
  out.drop = rules.remove;
  for (const auto& [name, value] : rules.set) {
    out.drop.push_back(name);
    out.add.append(name).append(": ").append(value).append("\r\n");
  }
  return out;
}

Routing::Routing(const Config& config)
    : pools_(config.routing.pools),
      unknown_host_status_(config.routing.unknown_host_status),
      trusted_proxies_(config.server.trusted_proxies) {
  if (config.routing.sites.empty()) {
    implicit_ = true;
    PoolConfig pool;
    pool.name = "default";
    pool.servers.push_back(PoolServer{config.origin.address.host, config.origin.address.port, 1});
    pool.passive.max_failures = 0;  // as before pools: a lone origin is never taken out
    pools_.insert(pools_.begin(), std::move(pool));
    sites_.push_back(RoutedSite{"default", 0, resolve_policy(config.cache, {}), {}, {}, {}, {}});
    default_site_ = 0;
    return;
  }
  for (const SiteConfig& s : config.routing.sites) {
    std::size_t pool = 0;
    for (std::size_t i = 0; i < pools_.size(); ++i)
      if (pools_[i].name == s.pool) pool = i;
    const int index = static_cast<int>(sites_.size());
    sites_.push_back(RoutedSite{s.name, pool, resolve_policy(config.cache, s.cache), s.purge_tokens, {},
                                compile_header_rules(s.request_headers), compile_header_rules(s.response_headers)});
    for (const HostPattern& h : s.hosts) {
      (h.wildcard ? wildcard_ : exact_).emplace(h.name, index);
      if (!h.wildcard) sites_.back().exact_hosts.push_back(h.name);
    }
    if (s.is_default) default_site_ = index;
  }
}

int Routing::match(std::string_view host) const {
  if (implicit_) return default_site_;  // a plain --origin: no lookup at all
  host = strip_port(host);
  // Host names are case-insensitive; keys are lower case already, raw Host values may not be.
  std::array<char, 256> folded;
  if (host.size() <= folded.size()) {
    bool upper = false;
    for (std::size_t i = 0; i < host.size(); ++i) {
      const char c = host[i];
      const bool is_upper = c >= 'A' && c <= 'Z';
      upper |= is_upper;
      folded[i] = is_upper ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (upper) host = std::string_view(folded.data(), host.size());
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "example.com." is example.com
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  if (!wildcard_.empty()) {
    // Longest suffix first: "a.b.example.com" tries "b.example.com", then "example.com", then "com".
    for (std::size_t dot = host.find('.'); dot != std::string_view::npos; dot = host.find('.', dot + 1))
      if (auto it = wildcard_.find(host.substr(dot + 1)); it != wildcard_.end()) return it->second;
  }
  return default_site_;
}

int Routing::find_site(std::string_view name) const {
  for (std::size_t i = 0; i < sites_.size(); ++i)
    if (sites_[i].name == name) return static_cast<int>(i);
  return kNoSite;
}

}  // namespace lacquer::conf
