// Cache-Control parsing (RFC 9111 §5.2), shared with the targeted fields CDN-Cache-Control
// (RFC 9213) and Surrogate-Control (Edge Architecture 1.0), plus RFC 5861 and RFC 8246
// extensions. Lenient by design (§5.2.3: unknown directives are ignored), never fails.
#include "http/cache_control.h"

#include <algorithm>

namespace lacquer::http {

namespace {

// delta-seconds = 1*DIGIT (RFC 9111 §1.2.2); overflow clamps to 2^31. Surrogate-Control
// writes "max-age=60+30" (the part after '+' is a stale allowance); when `allow_plus`, the
// "+N" suffix is accepted and ignored.
bool parse_delta(std::string_view v, bool allow_plus, std::uint32_t& out) noexcept {
  // §5.2: a recipient accepts the quoted-string form of a token argument too.
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (allow_plus) {
    const std::size_t plus = v.find('+');
    if (plus != std::string_view::npos && plus + 1 < v.size()) {
      for (char c : v.substr(plus + 1))
        if (c < '0' || c > '9') return false;
      v = v.substr(0, plus);
    }
  }
  if (v.empty()) return false;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    if (n < kDeltaSecondsMax) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = n > kDeltaSecondsMax ? kDeltaSecondsMax : static_cast<std::uint32_t>(n);
  return true;
}

// Records a delta-seconds directive that must not be repeated with a different value.
void set_unique(std::optional<std::uint32_t>& slot, bool& conflict, bool has_arg,
                std::string_view arg, bool allow_plus) noexcept {
  std::uint32_t v = 0;
  if (!has_arg || !parse_delta(arg, allow_plus, v)) {
    conflict = true;  // invalid argument: §4.2.1 lets us treat it as stale
    return;
  }
  if (slot && *slot != v) conflict = true;
  if (!slot) slot = v;
}

// RFC 5861 directives: a repeated directive keeps the smaller value (the conservative one);
// invalid arguments are ignored.
void set_min(std::optional<std::uint32_t>& slot, bool has_arg, std::string_view arg) noexcept {
  std::uint32_t v = 0;
  if (!has_arg || !parse_delta(arg, false, v)) return;
  if (!slot || v < *slot) slot = v;
}

void apply(std::string_view member, CacheControl& cc) noexcept {
  // cache-directive = token [ "=" ( token / quoted-string ) ]
  std::string_view name = member, arg;
  bool has_arg = false;
  const std::size_t eq = member.find('=');
  if (eq != std::string_view::npos) {
    name = member.substr(0, eq);
    arg = member.substr(eq + 1);
    has_arg = true;
    // Tolerate BWS around '=' (it costs nothing and some origins send it).
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    while (!arg.empty() && (arg.front() == ' ' || arg.front() == '\t')) arg.remove_prefix(1);
  }
  if (name.empty()) return;
  for (char c : name)
    if (!is_tchar(static_cast<unsigned char>(c))) return;

  if (iequals(name, "max-age")) {
    set_unique(cc.max_age, cc.conflicting_max_age, has_arg, arg, true);
  } else if (iequals(name, "s-maxage")) {
    set_unique(cc.s_maxage, cc.conflicting_s_maxage, has_arg, arg, false);
  } else if (iequals(name, "no-store")) {
    cc.no_store = true;
  } else if (iequals(name, "no-cache")) {
    // §5.2.2.4: the qualified form lists fields; an empty list counts as unqualified.
    if (has_arg && arg != "\"\"" && !arg.empty()) cc.no_cache_fields = true;
    else cc.no_cache = true;
  } else if (iequals(name, "private")) {
    // §5.2.2.7: qualified form lists fields a shared cache must not store.
    if (has_arg && arg != "\"\"" && !arg.empty()) cc.private_fields = true;
    else cc.private_ = true;
  } else if (iequals(name, "public")) {
    cc.public_ = true;
  } else if (iequals(name, "must-revalidate")) {
    cc.must_revalidate = true;
  } else if (iequals(name, "proxy-revalidate")) {
    cc.proxy_revalidate = true;
  } else if (iequals(name, "must-understand")) {
    cc.must_understand = true;
  } else if (iequals(name, "no-transform")) {
    cc.no_transform = true;
  } else if (iequals(name, "immutable")) {
    cc.immutable = true;
  } else if (iequals(name, "stale-while-revalidate")) {
    set_min(cc.stale_while_revalidate, has_arg, arg);
  } else if (iequals(name, "stale-if-error")) {
    set_min(cc.stale_if_error, has_arg, arg);
  } else if (iequals(name, "max-stale")) {
    // §5.2.1.2: without an argument, any staleness is acceptable.
    std::uint32_t v = 0;
    if (!has_arg) cc.max_stale_any = true;
    else if (parse_delta(arg, false, v)) cc.max_stale = cc.max_stale ? std::min(*cc.max_stale, v) : v;
  } else if (iequals(name, "min-fresh")) {
    std::uint32_t v = 0;
    if (has_arg && parse_delta(arg, false, v))
      cc.min_fresh = cc.min_fresh ? std::max(*cc.min_fresh, v) : v;
  } else if (iequals(name, "only-if-cached")) {
    cc.only_if_cached = true;
  }
  // Anything else: an extension we do not understand, ignored (§5.2.3).
}

}  // namespace

void parse_cache_control(std::string_view value, CacheControl& out) noexcept {
  for_each_list_member(value, [&](std::string_view m) { apply(m, out); });
}

CacheControl parse_cache_control_fields(std::span<const Header> headers,
                                        std::string_view name) noexcept {
  CacheControl cc;
  for (const Header& h : headers)
    if (iequals(h.name, name)) parse_cache_control(h.value, cc);
  return cc;
}

}  // namespace lacquer::http
