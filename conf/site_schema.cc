// [[site]] and [[pool]]: arrays of tables, read key by key with file:line errors, then checked
// against each other (unknown pool, empty pool, duplicate Host, unreadable CA file, ...).
#include "conf/site_schema.h"

#include <unistd.h>

#include <map>
#include <set>

#include "conf/values.h"

namespace lacquer::conf {

namespace {

using detail::quote;

constexpr std::uint64_t kMaxDurationMs = 3650ull * 86400 * 1000;

int to_int(toml::source_index index) { return index > 0x7fffffffu ? 0x7fffffff : static_cast<int>(index); }

Where at_node(const std::string& file, const toml::node& node, std::string key) {
  const auto& b = node.source().begin;
  return Where{file, to_int(b.line), to_int(b.column), std::move(key)};
}

// Reads one value of a table entry; each reports its own error and returns false.
class Reader {
 public:
  Reader(const std::string& file, Sink& sink) : file_(file), sink_(sink) {}

  bool fail(const toml::node& n, const std::string& key, const std::string& expected) {
    sink_.add(at_node(file_, n, key), expected + ", got " + describe(n));
    return false;
  }
  bool string(const toml::node& n, const std::string& key, std::string& out, bool allow_empty = false) {
    auto s = n.as_string();
    if (!s || (!allow_empty && s->get().empty()) || s->get().find('\0') != std::string::npos)
      return fail(n, key, allow_empty ? "expected a string" : "expected a non-empty string");
    out = s->get();
    return true;
  }
  bool name(const toml::node& n, const std::string& key, std::string& out) {
    auto s = n.as_string();
    bool ok = s && !s->get().empty() && s->get().size() <= 64;
    if (ok)
      for (char c : s->get())
        ok &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return fail(n, key, "expected a name of 1 to 64 letters, digits, '-', '_' or '.'");
    out = s->get();
    return true;
  }
  bool boolean(const toml::node& n, const std::string& key, bool& out) {
    auto b = n.as_boolean();
    if (!b) return fail(n, key, "expected true or false");
    out = b->get();
    return true;
  }
  bool integer(const toml::node& n, const std::string& key, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
    auto i = n.as_integer();
    if (!i || i->get() < 0 || static_cast<std::uint64_t>(i->get()) < min || static_cast<std::uint64_t>(i->get()) > max)
      return fail(n, key, "expected an integer between " + std::to_string(min) + " and " + std::to_string(max));
    out = static_cast<std::uint64_t>(i->get());
    return true;
  }
  // A duration ("2s", "250ms", or an integer of seconds) in milliseconds.
  bool duration_ms(const toml::node& n, const std::string& key, bool allow_zero, std::uint64_t& out) {
    std::optional<std::uint64_t> ms;
    if (auto i = n.as_integer(); i && i->get() >= 0 && static_cast<std::uint64_t>(i->get()) <= kMaxDurationMs / 1000)
      ms = static_cast<std::uint64_t>(i->get()) * 1000;
    else if (auto s = n.as_string())
      ms = detail::parse_duration_ms64(s->get());
    if (!ms || *ms > kMaxDurationMs || (*ms == 0 && !allow_zero))
      return fail(n, key, std::string("expected a duration like \"250ms\", \"2s\" or \"1h\"") +
                              (allow_zero ? "" : " greater than 0"));
    out = *ms;
    return true;
  }
  bool seconds(const toml::node& n, const std::string& key, std::optional<std::uint32_t>& out, bool allow_zero) {
    std::uint64_t ms = 0;
    if (!duration_ms(n, key, allow_zero, ms)) return false;
    if (ms % 1000 != 0) return fail(n, key, "expected a whole number of seconds");
    out = static_cast<std::uint32_t>(ms / 1000);
    return true;
  }
  bool millis32(const toml::node& n, const std::string& key, std::uint32_t& out, bool allow_zero) {
    std::uint64_t ms = 0;
    if (!duration_ms(n, key, allow_zero, ms)) return false;
    if (ms > 7ull * 86400 * 1000) return fail(n, key, "expected a duration of at most 7d");
    out = static_cast<std::uint32_t>(ms);
    return true;
  }
  const toml::array* array(const toml::node& n, const std::string& key, const std::string& expected) {
    auto a = n.as_array();
    if (!a) fail(n, key, expected);
    return a;
  }
  void unknown(const toml::key& k, const std::string& key, const std::string& known) {
    const auto& b = k.source().begin;
    sink_.add(Where{file_, to_int(b.line), to_int(b.column), key},
              "expected one of " + known + ", got unknown key " + quote(k.str()));
  }
  void mark(const std::string& key, const toml::node& n) { sink_.set_origin(key, at_node(file_, n, key)); }

 private:
  const std::string& file_;
  Sink& sink_;
};

void read_site_cache(Reader& r, const toml::node& node, const std::string& prefix, SiteCacheOverrides& c) {
  auto t = node.as_table();
  if (!t) {
    r.fail(node, prefix, "expected a table of [cache] overrides");
    return;
  }
  for (auto&& [k, n] : *t) {
    const std::string key = prefix + "." + std::string(k.str());
    if (k == "max_ttl") r.seconds(n, key, c.max_ttl_s, false);
    else if (k == "default_grace") r.seconds(n, key, c.default_grace_s, true);
    else if (k == "heuristic_max_ttl") r.seconds(n, key, c.heuristic_max_ttl_s, true);
    else if (k == "hit_for_miss") r.seconds(n, key, c.hit_for_miss_s, true);
    else if (k == "store_set_cookie") { bool b = false; if (r.boolean(n, key, b)) c.store_set_cookie = b; }
    else if (k == "honour_client_no_cache") { bool b = false; if (r.boolean(n, key, b)) c.honour_client_no_cache = b; }
    else r.unknown(k, key, "max_ttl, default_grace, heuristic_max_ttl, hit_for_miss, store_set_cookie, honour_client_no_cache");
  }
}

// Names lacquer owns on the way to the origin or the client (framing, hop-by-hop, and Host to
// the origin): a header rule may not touch them.
bool is_protected_field(std::string_view name, bool to_origin) {
  static constexpr std::string_view kOwned[] = {"content-length", "transfer-encoding", "connection", "keep-alive",
                                                "proxy-connection", "te", "trailer", "upgrade"};
  std::string lower(name);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (auto f : kOwned)
    if (lower == f) return true;
  return to_origin && lower == "host";
}

bool is_field_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// A field value a rule may set: visible ASCII and inner spaces/tabs, no CR/LF/NUL, at most 4 KiB.
bool is_field_value(std::string_view v) {
  if (v.size() > 4096) return false;
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t')) return false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 ? c != '\t' : u >= 0x7f) return false;
  }
  return true;
}

// [site.request_headers] / [site.response_headers]: { set = { Name = "value" }, remove = ["Name"] }.
void read_header_rules(Reader& r, const toml::node& node, const std::string& prefix, bool to_origin,
                       HeaderRulesConfig& rules) {
  auto t = node.as_table();
  if (!t) {
    r.fail(node, prefix, "expected a table like { set = { \"X-Name\" = \"value\" }, remove = [\"X-Other\"] }");
    return;
  }
  const std::string owned = to_origin ? "Host, framing and hop-by-hop fields" : "framing and hop-by-hop fields";
  auto check_name = [&](const toml::node& at, const std::string& key, std::string_view name) {
    if (!is_field_name(name)) return r.fail(at, key, "expected a header field name (a token like \"X-Site\")");
    if (is_protected_field(name, to_origin))
      return r.fail(at, key, "expected a field lacquer does not own (not " + owned + ")");
    return true;
  };
  for (auto&& [k, n] : *t) {
    const std::string key = prefix + "." + std::string(k.str());
    if (k == "set") {
      auto fields = n.as_table();
      if (!fields) {
        r.fail(n, key, "expected a table of fields like { \"X-Site\" = \"a\" }");
        continue;
      }
      for (auto&& [name, value] : *fields) {
        const std::string item_key = key + "." + std::string(name.str());
        if (!check_name(value, item_key, name.str())) continue;
        auto text = value.as_string();
        if (!text || !is_field_value(text->get())) {
          r.fail(value, item_key, "expected a field value (visible ASCII, no line breaks, at most 4096 bytes)");
          continue;
        }
        rules.set.emplace_back(std::string(name.str()), text->get());
      }
    } else if (k == "remove") {
      auto a = r.array(n, key, "expected an array of field names like [\"X-Powered-By\"]");
      if (!a) continue;
      for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& item = *a->get(i);
        const std::string item_key = key + "[" + std::to_string(i) + "]";
        auto text = item.as_string();
        if (!text) {
          r.fail(item, item_key, "expected a header field name (a token like \"X-Powered-By\")");
          continue;
        }
        if (check_name(item, item_key, text->get())) rules.remove.push_back(text->get());
      }
    } else {
      r.unknown(k, key, "set, remove");
    }
  }
}

void read_site(Reader& r, const toml::table& t, const std::string& prefix, SiteConfig& s) {
  for (auto&& [k, n] : t) {
    const std::string key = prefix + "." + std::string(k.str());
    if (k == "name") {
      r.name(n, key, s.name);
    } else if (k == "hosts") {
      auto a = r.array(n, key, "expected an array of host names like [\"example.com\", \"*.example.com\"]");
      if (!a) continue;
      for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& item = *a->get(i);
        const std::string item_key = key + "[" + std::to_string(i) + "]";
        auto text = item.as_string();
        auto pattern = text ? parse_host_pattern(text->get()) : std::nullopt;
        if (!pattern) {
          r.fail(item, item_key, "expected a host name like \"example.com\" or \"*.example.com\" (no port)");
          continue;
        }
        r.mark(item_key, item);
        s.hosts.push_back(std::move(*pattern));
      }
    } else if (k == "pool") {
      if (r.name(n, key, s.pool)) r.mark(key, n);
    } else if (k == "default") {
      r.boolean(n, key, s.is_default);
    } else if (k == "purge_tokens") {
      auto a = r.array(n, key, "expected an array of bearer tokens");
      if (!a) continue;
      for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& item = *a->get(i);
        auto text = item.as_string();
        if (!text || !detail::is_bearer_token(text->get())) {
          r.fail(item, key + "[" + std::to_string(i) + "]",
                 "expected a bearer token (letters, digits and -._~+/, optionally ending in =)");
          continue;
        }
        s.purge_tokens.push_back(text->get());
      }
    } else if (k == "cache") {
      read_site_cache(r, n, key, s.cache);
    } else if (k == "request_headers") {
      read_header_rules(r, n, key, true, s.request_headers);
    } else if (k == "response_headers") {
      read_header_rules(r, n, key, false, s.response_headers);
    } else {
      r.unknown(k, key, "name, hosts, pool, default, purge_tokens, cache, request_headers, response_headers");
    }
  }
}

void read_server(Reader& r, const toml::node& item, const std::string& key, PoolConfig& p) {
  std::string address;
  std::uint64_t weight = 1;
  const toml::node* address_node = &item;
  if (auto t = item.as_table()) {
    for (auto&& [k, n] : *t) {
      const std::string sub = key + "." + std::string(k.str());
      if (k == "address") {
        address_node = &n;
        if (!r.string(n, sub, address)) return;
      } else if (k == "weight") {
        if (!r.integer(n, sub, 1, 1000, weight)) return;
      } else {
        r.unknown(k, sub, "address, weight");
        return;
      }
    }
    if (address.empty()) {
      r.fail(item, key, "expected { address = \"host:port\", weight = N }");
      return;
    }
  } else if (!r.string(item, key, address)) {
    return;
  }
  auto e = parse_endpoint(address);
  if (!e || e->port == 0) {
    r.fail(*address_node, key, "expected an address like \"10.0.0.5:8080\" or \"origin.internal:8080\"");
    return;
  }
  p.servers.push_back(PoolServer{e->host, e->port, static_cast<std::uint32_t>(weight)});
}

void read_probe(Reader& r, const toml::node& node, const std::string& prefix, ProbeConfig& p) {
  auto t = node.as_table();
  if (!t) {
    r.fail(node, prefix, "expected a table like { path = \"/healthz\", interval = \"2s\" }");
    return;
  }
  p.enabled = true;
  for (auto&& [k, n] : *t) {
    const std::string key = prefix + "." + std::string(k.str());
    std::uint64_t v = 0;
    if (k == "path") {
      std::string path;
      if (!r.string(n, key, path)) continue;
      if (path.front() != '/' || path.find_first_of(" \r\n\t") != std::string::npos)
        r.fail(n, key, "expected an origin-form path starting with '/'");
      else
        p.path = path;
    } else if (k == "interval") r.millis32(n, key, p.interval_ms, false);
    else if (k == "timeout") r.millis32(n, key, p.timeout_ms, false);
    else if (k == "window") { if (r.integer(n, key, 1, 64, v)) p.window = static_cast<std::uint32_t>(v); }
    else if (k == "threshold") { if (r.integer(n, key, 1, 64, v)) p.threshold = static_cast<std::uint32_t>(v); r.mark(key, n); }
    else if (k == "expect") { if (r.integer(n, key, 100, 599, v)) p.expect = static_cast<std::uint16_t>(v); }
    else r.unknown(k, key, "path, interval, timeout, window, threshold, expect");
  }
}

void read_pool(Reader& r, const toml::table& t, const std::string& prefix, PoolConfig& p) {
  for (auto&& [k, n] : t) {
    const std::string key = prefix + "." + std::string(k.str());
    std::uint64_t v = 0;
    if (k == "name") {
      r.name(n, key, p.name);
    } else if (k == "servers") {
      auto a = r.array(n, key, "expected an array of servers like [{ address = \"10.0.0.5:8080\", weight = 1 }]");
      if (!a) continue;
      for (std::size_t i = 0; i < a->size(); ++i) read_server(r, *a->get(i), key + "[" + std::to_string(i) + "]", p);
    } else if (k == "balance") {
      std::string b;
      if (!r.string(n, key, b)) continue;
      if (b == "round-robin") p.balance = Balance::RoundRobin;
      else if (b == "least-requests") p.balance = Balance::LeastRequests;
      else if (b == "consistent-hash") p.balance = Balance::ConsistentHash;
      else r.fail(n, key, "expected \"round-robin\", \"least-requests\" or \"consistent-hash\"");
    } else if (k == "resolve_interval") {
      r.millis32(n, key, p.resolve_interval_ms, false);
    } else if (k == "probe") {
      read_probe(r, n, key, p.probe);
    } else if (k == "eject_after") {
      if (r.integer(n, key, 0, 1000, v)) p.passive.max_failures = static_cast<std::uint32_t>(v);
    } else if (k == "eject_backoff") {
      r.millis32(n, key, p.passive.backoff_ms, false);
    } else if (k == "eject_max_backoff") {
      r.millis32(n, key, p.passive.max_backoff_ms, false);
    } else if (k == "tls") {
      if (r.boolean(n, key, p.tls.enabled)) r.mark(key, n);
    } else if (k == "tls_verify") {
      r.boolean(n, key, p.tls.verify);
    } else if (k == "ca_file") {
      if (r.string(n, key, p.tls.ca_file)) r.mark(key, n);
    } else if (k == "sni") {
      auto pattern = n.as_string() ? parse_host_pattern(n.as_string()->get()) : std::nullopt;
      if (!pattern || pattern->wildcard) r.fail(n, key, "expected a host name like \"origin.example.com\"");
      else p.tls.sni = pattern->name;
    } else if (k == "client_cert") {
      if (r.string(n, key, p.tls.client_cert)) r.mark(key, n);
    } else if (k == "client_key") {
      if (r.string(n, key, p.tls.client_key)) r.mark(key, n);
    } else {
      r.unknown(k, key,
                "name, servers, balance, resolve_interval, probe, eject_after, eject_backoff, "
                "eject_max_backoff, tls, tls_verify, ca_file, sni, client_cert, client_key");
    }
  }
}

}  // namespace

bool apply_site_tables(std::string_view table_name, const toml::node& node, const std::string& file,
                       SitesConfig& sites, Sink& sink) {
  if (table_name != "site" && table_name != "pool") return false;
  auto array = node.as_array();
  if (!array || !array->is_array_of_tables()) {
    sink.add(at_node(file, node, std::string(table_name)),
             "expected [[" + std::string(table_name) + "]] tables, got " + describe(node));
    return true;
  }
  Reader r(file, sink);
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table& t = *array->get(i)->as_table();
    const std::string prefix = std::string(table_name) + "[" + std::to_string(i) + "]";
    r.mark(prefix, t);  // where the table starts, for the checks across tables
    if (table_name == "site") {
      SiteConfig s;
      read_site(r, t, prefix, s);
      sites.sites.push_back(std::move(s));
    } else {
      PoolConfig p;
      read_pool(r, t, prefix, p);
      sites.pools.push_back(std::move(p));
    }
  }
  return true;
}

void check_sites(const SitesConfig& c, const std::string& file, Sink& sink) {
  // The key's own position, else its table's, else just the file.
  auto where = [&](const std::string& key, const std::string& table) {
    if (const Where* w = sink.origin(key)) return *w;
    if (const Where* w = sink.origin(table)) return Where{w->file, w->line, w->column, key};
    return Where{file, 0, 0, key};
  };
  auto readable = [&](const std::string& path, const std::string& key, const std::string& table) {
    if (!path.empty() && ::access(path.c_str(), R_OK) != 0)
      sink.add(where(key, table), "expected a readable file, got " + quote(path));
  };
  std::map<std::string, std::size_t> pool_index;
  for (std::size_t i = 0; i < c.pools.size(); ++i) {
    const PoolConfig& p = c.pools[i];
    const std::string prefix = "pool[" + std::to_string(i) + "]";
    if (p.name.empty()) sink.add(where(prefix, prefix), "expected a name for the pool");
    else if (!pool_index.emplace(p.name, i).second)
      sink.add(where(prefix + ".name", prefix), "expected a pool name used once, got " + quote(p.name) + " again");
    if (p.servers.empty()) sink.add(where(prefix + ".servers", prefix), "expected at least one server in pool " + quote(p.name));
    if (p.probe.enabled && p.probe.threshold > p.probe.window)
      sink.add(where(prefix + ".probe.threshold", prefix), "expected a threshold no larger than the window (" +
                                                                std::to_string(p.probe.window) + "), got " +
                                                                std::to_string(p.probe.threshold));
    readable(p.tls.ca_file, prefix + ".ca_file", prefix);
    readable(p.tls.client_cert, prefix + ".client_cert", prefix);
    readable(p.tls.client_key, prefix + ".client_key", prefix);
    if (p.tls.client_cert.empty() != p.tls.client_key.empty())
      sink.add(where(prefix, prefix), "expected client_cert and client_key together");
  }
  std::map<std::string, std::string> host_owner;  // pattern -> site name
  std::set<std::string> site_names;
  int defaults = 0;
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    const SiteConfig& s = c.sites[i];
    const std::string prefix = "site[" + std::to_string(i) + "]";
    if (s.name.empty()) sink.add(where(prefix, prefix), "expected a name for the site");
    else if (!site_names.insert(s.name).second)
      sink.add(where(prefix, prefix), "expected a site name used once, got " + quote(s.name) + " again");
    if (s.pool.empty()) sink.add(where(prefix, prefix), "expected pool = \"<a [[pool]] name>\" for site " + quote(s.name));
    else if (!pool_index.count(s.pool))
      sink.add(where(prefix + ".pool", prefix), "expected the name of a [[pool]], got unknown pool " + quote(s.pool));
    if (s.hosts.empty() && !s.is_default)
      sink.add(where(prefix, prefix), "expected hosts = [...] (or default = true) for site " + quote(s.name));
    if (s.is_default && ++defaults > 1)
      sink.add(where(prefix, prefix), "expected one default site, got a second one: " + quote(s.name));
    for (std::size_t h = 0; h < s.hosts.size(); ++h) {
      const std::string text = s.hosts[h].to_string();
      auto [it, fresh] = host_owner.emplace(text, s.name);
      if (!fresh)
        sink.add(where(prefix + ".hosts[" + std::to_string(h) + "]", prefix),
                 "expected each host in one site only, got " + quote(text) + " again (already in site " +
                     quote(it->second) + ")");
    }
  }
  if (c.unknown_host_status != 421 && c.unknown_host_status != 404)
    sink.add(Where{file, 0, 0, "server.unknown_host_status"}, "expected 421 or 404");
}

}  // namespace lacquer::conf
