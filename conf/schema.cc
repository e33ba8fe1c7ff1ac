// The TOML layout: which keys exist, their syntax, their allowed range.
#include "conf/schema.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <string_view>
#include <sstream>

#include "conf/values.h"
#include "http/warm_list.h"

namespace lacquer::conf {

namespace {

using detail::format_duration_ms;
using detail::format_size;
using detail::quote;

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kDay = 86400;
constexpr std::uint64_t kMaxTimeoutMs = 7 * kDay * 1000;  // every *_timeout
constexpr std::uint64_t kMaxTtlS = 3650 * kDay;           // max_ttl, default_grace, disk_keep_expired
constexpr std::uint64_t kMaxLimitBytes = 1ull << 30;      // 32-bit [limits] sizes
constexpr std::uint64_t kMaxWarmEveryMs = 30 * kDay * 1000;  // [warm] every

// --- sizes -------------------------------------------------------------------------------------

std::optional<std::uint64_t> size_from_node(const toml::node& node) {
  if (auto i = node.as_integer()) {
    if (i->get() < 0) return std::nullopt;
    return static_cast<std::uint64_t>(i->get());
  }
  if (auto s = node.as_string()) return parse_size(s->get());
  return std::nullopt;
}

// `zero_means_off`: 0 is accepted as well as [min, max] (a tier that can be turned off).
std::optional<std::string> size_problem(std::optional<std::uint64_t> v, std::uint64_t min,
                                        std::uint64_t max, bool zero_means_off) {
  if (!v) return std::string("expected a size like \"256M\" or \"1G\"");
  if (*v == 0 && zero_means_off) return std::nullopt;
  if (*v < min && zero_means_off) return "expected 0 (off) or a size of at least " + format_size(min);
  if (*v < min) {
    return min == 1 ? std::string("expected a size greater than 0")
                    : "expected a size of at least " + format_size(min);
  }
  if (*v > max) return "expected a size of at most " + format_size(max);
  return std::nullopt;
}

template <class T>
SchemaField size_field(std::string name, T& out, std::uint64_t min, std::uint64_t max,
                       bool zero_means_off = false) {
  auto store = [&out, min, max, zero_means_off](std::optional<std::uint64_t> v, const std::string& got,
                                                const Where& at, Sink& sink) {
    if (auto problem = size_problem(v, min, max, zero_means_off)) {
      sink.add(at, *problem + ", got " + got);
      return false;
    }
    out = static_cast<T>(*v);
    return true;
  };
  return SchemaField{
      std::move(name),
      [store](const toml::node& n, const Where& at, Sink& sink) {
        return store(size_from_node(n), describe(n), at, sink);
      },
      [store](const std::string& text, const Where& at, Sink& sink) {
        return store(parse_size(text), quote(text), at, sink);
      }};
}

// --- durations ---------------------------------------------------------------------------------

std::optional<std::uint64_t> duration_from_node(const toml::node& node) {
  if (auto i = node.as_integer()) {  // plain integer = seconds
    if (i->get() < 0 || static_cast<std::uint64_t>(i->get()) > kU64Max / 1000) return std::nullopt;
    return static_cast<std::uint64_t>(i->get()) * 1000;
  }
  if (auto s = node.as_string()) return detail::parse_duration_ms64(s->get());
  return std::nullopt;
}

// A duration stored as milliseconds (whole_seconds = false) or as seconds (true).
SchemaField duration_field(std::string name, std::uint32_t& out, bool allow_zero,
                           std::uint64_t max_ms, bool whole_seconds) {
  return SchemaField{
      std::move(name),
      [&out, allow_zero, max_ms, whole_seconds](const toml::node& n, const Where& at, Sink& sink) {
        auto ms = duration_from_node(n);
        std::string problem;
        if (!ms) {
          problem = "expected a duration like \"250ms\", \"10s\", \"2m\", \"1h\" or \"7d\"";
        } else if (*ms == 0 && !allow_zero) {
          problem = "expected a duration greater than 0";
        } else if (*ms > max_ms) {
          problem = "expected a duration of at most " + format_duration_ms(max_ms);
        } else if (whole_seconds && *ms % 1000 != 0) {
          problem = "expected a whole number of seconds";
        }
        if (!problem.empty()) {
          sink.add(at, problem + ", got " + describe(n));
          return false;
        }
        out = static_cast<std::uint32_t>(whole_seconds ? *ms / 1000 : *ms);
        return true;
      },
      nullptr};
}

SchemaField timeout_field(std::string name, std::uint32_t& out_ms) {
  return duration_field(std::move(name), out_ms, false, kMaxTimeoutMs, false);
}

// --- integers, booleans, strings ---------------------------------------------------------------

template <class T>
SchemaField integer_field(std::string name, T& out, std::uint64_t min, std::uint64_t max) {
  auto store = [&out, min, max](std::optional<std::uint64_t> v, const std::string& got,
                                const Where& at, Sink& sink) {
    if (!v || *v < min || *v > max) {
      sink.add(at, "expected an integer between " + std::to_string(min) + " and " +
                       std::to_string(max) + ", got " + got);
      return false;
    }
    out = static_cast<T>(*v);
    return true;
  };
  return SchemaField{
      std::move(name),
      [store](const toml::node& n, const Where& at, Sink& sink) {
        std::optional<std::uint64_t> v;
        if (auto i = n.as_integer(); i && i->get() >= 0) v = static_cast<std::uint64_t>(i->get());
        return store(v, describe(n), at, sink);
      },
      [store](const std::string& text, const Where& at, Sink& sink) {
        return store(detail::parse_decimal(detail::trim(text)), quote(text), at, sink);
      }};
}

SchemaField bool_field(std::string name, bool& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       if (auto b = n.as_boolean()) {
                         out = b->get();
                         return true;
                       }
                       sink.add(at, "expected true or false, got " + describe(n));
                       return false;
                     },
                     nullptr};
}

// A number (integer or float) in [min, max].
SchemaField number_field(std::string name, double& out, double min, double max) {
  return SchemaField{std::move(name),
                     [&out, min, max](const toml::node& n, const Where& at, Sink& sink) {
                       std::optional<double> v;
                       if (auto f = n.as_floating_point()) v = f->get();
                       if (auto i = n.as_integer()) v = static_cast<double>(i->get());
                       if (!v || !(*v >= min && *v <= max)) {
                         std::ostringstream range;
                         range << "expected a number between " << min << " and " << max << ", got " << describe(n);
                         sink.add(at, range.str());
                         return false;
                       }
                       out = *v;
                       return true;
                     },
                     nullptr};
}

// A string key that the command line can set too: `store(text, got, at, sink)` checks and keeps
// it; `text` is null when the TOML value is not a string, `got` describes the value for errors.
template <class Store>
SchemaField text_field(std::string name, Store store) {
  return SchemaField{
      std::move(name),
      [store](const toml::node& n, const Where& at, Sink& sink) {
        const std::string* text = nullptr;
        if (auto s = n.as_string()) text = &s->get();
        return store(text, describe(n), at, sink);
      },
      [store](const std::string& text, const Where& at, Sink& sink) {
        return store(&text, quote(text), at, sink);
      }};
}

SchemaField endpoint_field(std::string name, Endpoint& out, bool allow_port_zero) {
  auto store = [&out, allow_port_zero](const std::string* text, const std::string& got, const Where& at,
                                       Sink& sink) {
    std::optional<Endpoint> e;
    if (text) e = parse_endpoint(*text);
    if (!e) {
      sink.add(at, "expected an address like \"127.0.0.1:8080\" or \"[::1]:8080\", got " + got);
      return false;
    }
    if (e->port == 0 && !allow_port_zero) {
      sink.add(at, "expected a port between 1 and 65535, got " + got);
      return false;
    }
    out = std::move(*e);
    return true;
  };
  return text_field(std::move(name), std::move(store));
}

// uri-host [ ":" port ] as a Host field carries it (RFC 9110 §7.2): a reg-name or IPv4 of
// unreserved / sub-delims / pct-encoded characters, or a bracketed IPv6 literal.
bool is_authority(std::string_view a) {
  std::string_view host = a, port;
  if (!a.empty() && a.front() == '[') {
    const std::size_t close = a.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : a.substr(1, close - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    host = a.substr(0, close + 1);
    if (close + 1 < a.size() && a[close + 1] != ':') return false;
    port = a.substr(std::min(close + 2, a.size()));
  } else {
    const std::size_t colon = a.find(':');
    if (colon != std::string_view::npos) {
      host = a.substr(0, colon);
      port = a.substr(colon + 1);
    }
    if (host.empty()) return false;
    for (char c : host)
      if (!(std::isalnum(static_cast<unsigned char>(c)) ||
            std::string_view("-._~!$&'()*+,;=%").find(c) != std::string_view::npos))
        return false;
  }
  if (a.find(':') != std::string_view::npos && a.back() == ':') return false;
  if (port.size() > 5) return false;
  for (char c : port)
    if (c < '0' || c > '9') return false;
  return true;
}

SchemaField authority_field(std::string name, std::string& out) {
  auto store = [&out](const std::string* text, const std::string& got, const Where& at,
                      Sink& sink) {
    if (!text || (!text->empty() && !is_authority(*text))) {
      sink.add(at, "expected a host name with an optional port, like \"www.example.com\" or "
                   "\"www.example.com:8080\" (\"\" for the connection's local address), got " + got);
      return false;
    }
    out = *text;
    return true;
  };
  return text_field(std::move(name), std::move(store));
}

SchemaField directory_field(std::string name, std::string& out) {
  auto store = [&out](const std::string* text, const std::string& got, const Where& at,
                      Sink& sink) {
    if (!text || text->empty() || text->find('\0') != std::string::npos) {
      sink.add(at, "expected a non-empty directory path, got " + got);
      return false;
    }
    out = *text;
    return true;
  };
  return text_field(std::move(name), std::move(store));
}

// A string that may be empty (an empty access log path turns the log off).
SchemaField path_or_empty_field(std::string name, std::string& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && s->get().find('\0') == std::string::npos) {
                         out = s->get();
                         return true;
                       }
                       sink.add(at, "expected a file path, \"-\" (stdout) or \"\" (off), got " + describe(n));
                       return false;
                     },
                     nullptr};
}

SchemaField socket_path_field(std::string name, std::string& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && s->get().find('\0') == std::string::npos && s->get().size() < 108) {
                         out = s->get();
                         return true;
                       }
                       sink.add(at, "expected a Unix socket path shorter than 108 bytes, or \"\" "
                                    "(<state_dir>/takeover.sock), got " + describe(n));
                       return false;
                     },
                     nullptr};
}

// A file that must be readable when given ("" = none).
SchemaField readable_file_field(std::string name, std::string& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && s->get().find('\0') == std::string::npos) {
                         if (!s->get().empty() && ::access(s->get().c_str(), R_OK) != 0) {
                           sink.add(at, "expected a readable file or \"\" (none), got " + describe(n) +
                                            " (cannot be read)");
                           return false;
                         }
                         out = s->get();
                         return true;
                       }
                       sink.add(at, "expected a file path or \"\" (none), got " + describe(n));
                       return false;
                     },
                     nullptr};
}

// A URL warming can fetch (http/warm_list.h: absolute http or https) or "" (none).
SchemaField warmable_url_field(std::string name, std::string& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && (s->get().empty() || http::is_warmable_url(s->get()))) {
                         out = s->get();
                         return true;
                       }
                       sink.add(at, "expected an absolute URL like \"https://example.com/sitemap.xml\" or \"\" "
                                    "(none), got " + describe(n));
                       return false;
                     },
                     nullptr};
}

SchemaField access_format_field(std::string name, AccessLogFormat& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && s->get() == "combined") {
                         out = AccessLogFormat::Combined;
                         return true;
                       }
                       if (s && s->get() == "json") {
                         out = AccessLogFormat::Json;
                         return true;
                       }
                       sink.add(at, "expected \"combined\" or \"json\", got " + describe(n));
                       return false;
                     },
                     nullptr};
}

SchemaField token_field(std::string name, std::string& out) {
  return SchemaField{
      std::move(name),
      [&out](const toml::node& n, const Where& at, Sink& sink) {
        auto s = n.as_string();
        if (s && (s->get().empty() || detail::is_bearer_token(s->get()))) {
          out = s->get();
          return true;
        }
        sink.add(at, std::string(s ? "expected a bearer token (letters, digits and -._~+/, "
                                     "optionally ending in =) or \"\" for none"
                                   : "expected a string") +
                         ", got " + describe(n));
        return false;
      },
      nullptr};
}

SchemaField cidr_list_field(std::string name, std::vector<std::string>& out) {
  return SchemaField{
      std::move(name),
      [&out](const toml::node& n, const Where& at, Sink& sink) {
        auto array = n.as_array();
        if (!array) {
          sink.add(at, "expected an array of CIDR strings like [\"10.0.0.0/8\"], got " +
                           describe(n));
          return false;
        }
        std::vector<std::string> cidrs;
        bool ok = true;
        for (std::size_t i = 0; i < array->size(); ++i) {
          const toml::node& item = *array->get(i);
          auto s = item.as_string();
          if (s && detail::is_valid_cidr(s->get())) {
            cidrs.push_back(s->get());
            continue;
          }
          ok = false;
          const auto& begin = item.source().begin;
          Where item_at{at.file, static_cast<int>(begin.line), static_cast<int>(begin.column),
                        at.key + "[" + std::to_string(i) + "]"};
          sink.add(item_at, "expected a CIDR like \"10.0.0.0/8\" or \"fd00::/8\", got " +
                                describe(item));
        }
        if (ok) out = std::move(cidrs);
        return ok;
      },
      nullptr};
}

// A name that goes into Redis keys and log lines: printable, no spaces.
bool is_plain_name(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

SchemaField name_field(std::string name, std::string& out, std::size_t max, std::string what) {
  return SchemaField{
      std::move(name),
      [&out, max, what](const toml::node& n, const Where& at, Sink& sink) {
        auto s = n.as_string();
        if (s && is_plain_name(s->get(), max)) {
          out = s->get();
          return true;
        }
        sink.add(at, "expected " + what + " (1 to " + std::to_string(max) +
                         " printable characters, no spaces), got " + describe(n));
        return false;
      },
      nullptr};
}

SchemaField secret_field(std::string name, std::string& out) {
  return SchemaField{std::move(name),
                     [&out](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && s->get().find('\0') == std::string::npos && s->get().size() <= 4096) {
                         out = s->get();
                         return true;
                       }
                       sink.add(at, "expected a string of at most 4096 bytes, got " +
                                        std::string(s ? "a longer string" : describe(n)));
                       return false;
                     },
                     nullptr};
}

SchemaField redis_field(std::string name, ClusterConfig& c) {
  SchemaField f = endpoint_field(std::move(name), c.redis, false);
  auto inner = f.from_toml;
  f.from_toml = [inner, &c](const toml::node& n, const Where& at, Sink& sink) {
    bool ok = inner(n, at, sink);
    if (ok) c.enabled = true;
    return ok;
  };
  f.from_flag = nullptr;
  return f;
}

SchemaField gap_purge_field(std::string name, bool& soft) {
  return SchemaField{std::move(name),
                     [&soft](const toml::node& n, const Where& at, Sink& sink) {
                       auto s = n.as_string();
                       if (s && (s->get() == "hard" || s->get() == "soft")) {
                         soft = s->get() == "soft";
                         return true;
                       }
                       sink.add(at, "expected \"hard\" or \"soft\", got " + describe(n));
                       return false;
                     },
                     nullptr};
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

const SchemaField* SchemaTable::find(std::string_view key) const {
  for (const auto& f : fields) {
    if (f.name == key) return &f;
  }
  return nullptr;
}

std::string SchemaTable::key_names() const {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  return join_names(names);
}

Schema::Schema(Config& c) : config_(c) {
  auto& s = c.server;
  auto& o = c.origin;
  auto& k = c.cache;
  auto& l = c.limits;
  auto& p = c.purge;
  tables_.push_back({"server",
                     {endpoint_field("listen", s.listen, true),
                      endpoint_field("admin", s.admin, true),
                      integer_field("threads", s.threads, 0, 1024),
                      authority_field("default_host", s.default_host),
                      socket_path_field("takeover_socket", s.takeover_socket),
                      integer_field("unknown_host_status", c.routing.unknown_host_status, 404, 421),
                      cidr_list_field("trusted_proxies", s.trusted_proxies)}});
  tables_.push_back({"origin",
                     {endpoint_field("address", o.address, false),
                      timeout_field("connect_timeout", o.connect_timeout_ms),
                      timeout_field("first_byte_timeout", o.first_byte_timeout_ms),
                      timeout_field("read_timeout", o.read_timeout_ms),
                      timeout_field("idle_timeout", o.idle_timeout_ms),
                      integer_field("max_idle_per_worker", o.max_idle_per_worker, 0, 100000)}});
  tables_.push_back(
      {"cache",
       {directory_field("state_dir", k.state_dir),
        size_field("memory", k.memory_bytes, 1ull << 20, kU64Max),
        size_field("disk", k.disk_bytes, 1ull << 20, kU64Max, true),  // 0: memory only
        size_field("max_object_size", k.max_object_bytes, 1, kU64Max),
        duration_field("max_ttl", k.max_ttl_s, false, kMaxTtlS * 1000, true),
        duration_field("default_grace", k.default_grace_s, true, kMaxTtlS * 1000, true),
        duration_field("heuristic_max_ttl", k.heuristic_max_ttl_s, true, kMaxTtlS * 1000, true),
        duration_field("hit_for_miss", k.hit_for_miss_s, true, kMaxTtlS * 1000, true),
        duration_field("disk_keep_expired", k.disk_keep_expired_s, true, kMaxTtlS * 1000, true),
        bool_field("disk_admit_all", k.disk_admit_all),
        bool_field("memory_admission", k.memory_admission),
        bool_field("store_set_cookie", k.store_set_cookie),
        bool_field("honour_client_no_cache", k.honour_client_no_cache),
        bool_field("keep_surrogate_headers", k.keep_surrogate_headers),
        bool_field("forward_cdn_cache_control", k.forward_cdn_cache_control),
        bool_field("early_refresh", k.early_refresh),
        number_field("early_refresh_beta", k.early_refresh_beta, 0, 100),
        duration_field("early_refresh_min_delta", k.early_refresh_min_delta_ms, true, 3600 * 1000, false)}});
  tables_.push_back({"limits",
                     {size_field("max_request_line", l.max_request_line, 16, kMaxLimitBytes),
                      size_field("max_header_field", l.max_header_field, 1, kMaxLimitBytes),
                      size_field("max_header_bytes", l.max_header_bytes, 1, kMaxLimitBytes),
                      integer_field("max_header_count", l.max_header_count, 1, 100000),
                      size_field("max_body_size", l.max_body_bytes, 0, kU64Max),
                      timeout_field("header_timeout", l.header_timeout_ms),
                      timeout_field("body_timeout", l.body_timeout_ms),
                      timeout_field("body_deadline", l.body_deadline_ms),
                      timeout_field("tunnel_idle_timeout", l.tunnel_idle_timeout_ms),
                      timeout_field("idle_timeout", l.idle_timeout_ms),
                      integer_field("max_connections", l.max_connections, 1, 1000000),
                      size_field("max_output_buffer", l.max_output_buffer, 1024, kU64Max)}});
  tables_.push_back({"purge",
                     {bool_field("allow_loopback", p.allow_loopback),
                      cidr_list_field("allow_cidrs", p.allow_cidrs),
                      token_field("token", p.token)}});
  tables_.push_back({"warm",
                     {readable_file_field("list", c.warm.list),
                      warmable_url_field("sitemap", c.warm.sitemap),
                      duration_field("every", c.warm.every_s, true, kMaxWarmEveryMs, true),
                      integer_field("concurrency", c.warm.concurrency, 1, 1000),
                      integer_field("rate", c.warm.rate, 0, 1000000),
                      integer_field("max_memory_fill", c.warm.max_memory_fill, 1, 100),
                      integer_field("max_urls", c.warm.max_urls, 1, 10000000)}});
  tables_.push_back({"log",
                     {path_or_empty_field("access", c.log.access),
                      access_format_field("access_format", c.log.access_format)}});
  auto& r = c.cluster;
  tables_.push_back(
      {"cluster",
       {redis_field("redis", r),
        name_field("stream", r.stream, 200, "a stream name"),
        name_field("node", r.node, 64, "a node id"),
        name_field("username", r.username, 200, "a Redis user name"),
        secret_field("password", r.password),
        integer_field("trim_max_length", r.trim_max_length, 0, kU64Max),
        duration_field("trim_max_age", r.trim_max_age_s, true, kMaxTtlS * 1000, true),
        gap_purge_field("gap_purge", r.gap_purge_soft),
        timeout_field("wait_timeout", r.wait_timeout_ms),
        timeout_field("connect_timeout", r.connect_timeout_ms),
        timeout_field("catch_up_timeout", r.catch_up_timeout_ms)}});
}

const SchemaTable* Schema::find_table(std::string_view name) const {
  for (const auto& t : tables_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string Schema::table_names() const {
  std::vector<std::string> names;
  for (const auto& t : tables_) names.push_back(t.name);
  return join_names(names);
}

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return quote(node.as_string()->get());
    case toml::node_type::integer: return std::to_string(node.as_integer()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: {
      std::ostringstream os;  // floats, dates, times: as TOML spells them
      node.visit([&os](auto&& value) { os << value; });
      return os.str();
    }
  }
}

void check_relations(const Config& c, Sink& sink) {
  auto where = [&](const std::string& dotted) {
    const Where* w = sink.origin(dotted);
    return w ? *w : Where{"defaults", 0, 0, dotted};
  };
  const auto& l = c.limits;
  if (l.max_header_field > l.max_header_bytes) {
    if (sink.origin("limits.max_header_field")) {
      sink.add(where("limits.max_header_field"),
               "expected a size no larger than limits.max_header_bytes (" +
                   format_size(l.max_header_bytes) + "), got " + format_size(l.max_header_field));
    } else {
      sink.add(where("limits.max_header_bytes"),
               "expected a size no smaller than limits.max_header_field (" +
                   format_size(l.max_header_field) + "), got " + format_size(l.max_header_bytes));
    }
  }
  if (c.cluster.enabled && c.cluster.node.empty()) {
    sink.add(where("cluster.redis"), "expected cluster.node (this node's id) to be set with cluster.redis");
  }
  // Two fixed ports that are the same address cannot both be bound; an origin that is our own
  // listener would loop every miss back to us.
  auto same = [](const Endpoint& a, const Endpoint& b) {
    return a.port != 0 && a.port == b.port && a.host == b.host;
  };
  const auto& s = c.server;
  if (same(s.listen, s.admin)) {
    bool admin_set = sink.origin("server.admin") != nullptr;
    sink.add(where(admin_set ? "server.admin" : "server.listen"),
             std::string("expected an address different from ") +
                 (admin_set ? "server.listen" : "server.admin") + ", got " +
                 quote(s.admin.to_string()));
  }
  if (same(s.listen, c.origin.address)) {
    bool origin_set = sink.origin("origin.address") != nullptr;
    sink.add(where(origin_set ? "origin.address" : "server.listen"),
             std::string("expected an address different from ") +
                 (origin_set ? "server.listen" : "origin.address") +
                 " (requests would loop), got " + quote(s.listen.to_string()));
  }
}

}  // namespace lacquer::conf
