#include "cluster/event.h"

#include "purge/scopes.h"
#include "purge/surrogate_keys.h"
#include "storage/cache_key.h"

namespace lacquer::cluster {
namespace {

std::optional<std::string_view> field(const std::vector<Field>& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// "http://host/path?q" -> the cache key, the same way the admin API keys a URL.
std::optional<storage::CacheKey> key_for_url(std::string_view url) {
  if (url.size() >= 7 && (url.substr(0, 7) == "http://" || url.substr(0, 7) == "HTTP://")) url.remove_prefix(7);
  if (url.empty() || url.front() == '/') return std::nullopt;
  auto slash = url.find_first_of("/?");
  std::string_view host = url.substr(0, slash);
  std::string path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (path.front() == '?') path.insert(path.begin(), '/');
  return storage::make_cache_key(host, path);
}

Decoded fail(DecodeError e, std::string detail) {
  Decoded d;
  d.error = e;
  d.detail = std::move(detail);
  return d;
}

bool read_targets(const std::vector<Field>& fields, purge::Scope scope, Event& ev, std::string& why) {
  switch (scope) {
    case purge::Scope::Global:
      ev.targets.push_back({purge::Scope::Global, 0, "all"});
      return true;
    case purge::Scope::Url: {
      auto url = field(fields, "url");
      auto key = url ? key_for_url(*url) : std::nullopt;
      if (!key) {
        why = "scope=url needs url=http://host/path";
        return false;
      }
      ev.targets.push_back({purge::Scope::Url, purge::url_hash(key->text), key->text});
      return true;
    }
    case purge::Scope::Prefix: {
      auto prefix = field(fields, "prefix");
      auto key = prefix ? key_for_url(*prefix) : std::nullopt;
      if (!key) {
        why = "scope=prefix needs prefix=http://host/path/";
        return false;
      }
      auto p = purge::normalise_prefix(key->text, key->path_begin);
      ev.targets.push_back({purge::Scope::Prefix, purge::prefix_hash(p), std::string(p)});
      return true;
    }
    case purge::Scope::Tag: {
      auto tags = field(fields, "tags");
      purge::SurrogateKeyLimits limits;
      if (!tags || tags->size() > limits.max_header_bytes) {
        why = "scope=tag needs tags=\"a b\" (at most 16 KiB)";
        return false;
      }
      bool ok = true;
      purge::for_each_surrogate_key(*tags, [&](std::string_view tag, std::size_t) {
        if (tag.size() > limits.max_key_bytes) ok = false;
        else ev.targets.push_back({purge::Scope::Tag, purge::tag_hash(tag), std::string(tag)});
      });
      if (!ok || ev.targets.empty()) {
        why = ok ? "tags names no tag" : "a tag is longer than 1024 bytes";
        return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(DecodeError e) noexcept {
  switch (e) {
    case DecodeError::None: return "none";
    case DecodeError::UnknownVersion: return "unknown_version";
    case DecodeError::UnknownKind: return "unknown_kind";
    case DecodeError::UnknownScope: return "unknown_scope";
    case DecodeError::Malformed: return "malformed";
  }
  return "unknown";
}

Decoded decode_event(const std::vector<Field>& fields) {
  auto v = field(fields, "v");
  if (!v) return fail(DecodeError::Malformed, "no v field");
  if (*v != kFormatVersion) return fail(DecodeError::UnknownVersion, "v=" + std::string(v->substr(0, 32)));
  auto kind = field(fields, "kind");
  if (!kind) return fail(DecodeError::Malformed, "no kind field");
  Event ev;
  if (auto node = field(fields, "node")) ev.node = std::string(node->substr(0, 256));
  if (*kind == "hello") {
    ev.kind = EventKind::Hello;
    return Decoded{std::move(ev), DecodeError::None, {}};
  }
  if (*kind != "purge") return fail(DecodeError::UnknownKind, "kind=" + std::string(kind->substr(0, 32)));
  auto soft = field(fields, "soft");
  if (soft && *soft != "0" && *soft != "1") return fail(DecodeError::Malformed, "soft must be 0 or 1");
  ev.soft = soft && *soft == "1";
  auto scope_text = field(fields, "scope");
  if (!scope_text) return fail(DecodeError::Malformed, "no scope field");
  purge::Scope scope;
  if (*scope_text == "all") scope = purge::Scope::Global;
  else if (*scope_text == "url") scope = purge::Scope::Url;
  else if (*scope_text == "tag") scope = purge::Scope::Tag;
  else if (*scope_text == "prefix") scope = purge::Scope::Prefix;
  else return fail(DecodeError::UnknownScope, "scope=" + std::string(scope_text->substr(0, 32)));
  std::string why;
  if (!read_targets(fields, scope, ev, why)) return fail(DecodeError::Malformed, why);
  if (auto site = field(fields, "site")) {
    if (!is_site_name(*site)) return fail(DecodeError::Malformed, "site must be a [[site]] name");
    // URL and prefix purges name their host already; encode_purge never adds a site to them.
    if (scope != purge::Scope::Global && scope != purge::Scope::Tag)
      return fail(DecodeError::Malformed, "site only goes with scope=all or scope=tag");
    ev.site = std::string(*site);
    // The same keys the node that accepted the purge wrote (edge/admin/purge_scope.cc).
    const std::uint64_t site_scope = purge::site_scope_hash(ev.site);
    for (auto& t : ev.targets) {
      if (t.scope == purge::Scope::Global) t = EventTarget{purge::Scope::Tag, site_scope, "site:" + ev.site};
      else if (t.scope == purge::Scope::Tag) t.key = purge::site_tag(site_scope, t.key);
    }
  }
  return Decoded{std::move(ev), DecodeError::None, {}};
}

std::vector<std::pair<std::string, std::string>> encode_purge(std::string_view node, purge::Scope scope,
                                                              const std::vector<std::string>& labels,
                                                              bool soft, std::string_view site) {
  std::vector<std::pair<std::string, std::string>> f;
  f.emplace_back("v", kFormatVersion);
  f.emplace_back("kind", "purge");
  f.emplace_back("node", node);
  switch (scope) {
    case purge::Scope::Global: f.emplace_back("scope", "all"); break;
    case purge::Scope::Url: f.emplace_back("scope", "url"); break;
    case purge::Scope::Tag: f.emplace_back("scope", "tag"); break;
    case purge::Scope::Prefix: f.emplace_back("scope", "prefix"); break;
  }
  f.emplace_back("soft", soft ? "1" : "0");
  if (scope == purge::Scope::Tag) {
    std::string tags;
    for (const auto& l : labels) {
      if (!tags.empty()) tags.push_back(' ');
      tags += l;
    }
    f.emplace_back("tags", std::move(tags));
  } else if (scope != purge::Scope::Global && !labels.empty()) {
    f.emplace_back(scope == purge::Scope::Url ? "url" : "prefix", labels.front());
  }
  if (!site.empty() && (scope == purge::Scope::Global || scope == purge::Scope::Tag)) f.emplace_back("site", site);
  return f;
}

bool is_site_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

std::vector<std::pair<std::string, std::string>> encode_hello(std::string_view node) {
  return {{"v", std::string(kFormatVersion)}, {"kind", "hello"}, {"node", std::string(node)}};
}

}  // namespace lacquer::cluster
