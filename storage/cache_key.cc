#include "storage/cache_key.h"

#include <xxhash.h>

namespace lacquer::storage {
namespace {

std::uint64_t g_seed = 0x6c61637175657221ull;

char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Appends the host lower-cased, dropping ":80" (the default port for http). RFC 3986 §6.2.2.1.
// Written in place (one resize, no push_back per byte: every request makes a key). On failure
// `out` holds garbage; the caller makes no key then.
bool append_host(std::string& out, std::string_view host) {
  if (host.empty()) return false;
  if (host.size() > 3 && host.substr(host.size() - 3) == ":80") host.remove_suffix(3);
  const std::size_t at = out.size();
  out.resize(at + host.size());
  char* p = out.data() + at;
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '?' || c == '#' || c == '@' ||
        c == '\\' || c == 0x7f)
      return false;
    *p++ = to_lower(c);
  }
  return true;
}

// Appends the path and query with percent-encoding hex digits upper-cased (RFC 3986 §6.2.2.1).
// A fragment never reaches a server; if one does, it is rejected rather than guessed at. Runs of
// bytes kept as they are go over in one append each.
bool append_target(std::string& out, std::string_view target) {
  auto kept_as_is = [](char c) {
    return c != '%' && c != '#' && static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  };
  std::size_t i = 0;
  while (i < target.size()) {
    std::size_t run = i;
    while (run < target.size() && kept_as_is(target[run])) ++run;
    out.append(target.data() + i, run - i);
    i = run;
    if (i == target.size()) break;
    if (target[i] != '%') return false;  // '#', a control byte, a space or DEL
    if (i + 2 >= target.size()) return false;
    if (!is_hex(target[i + 1]) || !is_hex(target[i + 2])) return false;
    const char escape[3] = {'%', to_upper(target[i + 1]), to_upper(target[i + 2])};
    out.append(escape, 3);
    i += 3;
  }
  return true;
}

bool iprefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (to_lower(s[i]) != prefix[i]) return false;
  return true;
}

}  // namespace

std::size_t key_path_begin(std::string_view key_text) noexcept {
  constexpr std::string_view kScheme = "http://";
  std::size_t from = key_text.substr(0, kScheme.size()) == kScheme ? kScheme.size() : 0;
  std::size_t slash = key_text.find('/', from);
  return slash == std::string_view::npos ? key_text.size() : slash;
}

void set_process_hash_seed(std::uint64_t seed) { g_seed = seed; }

std::uint64_t hash_key_text(std::string_view text) {
  return XXH3_64bits_withSeed(text.data(), text.size(), g_seed);
}

std::optional<CacheKey> make_cache_key(std::string_view host_header, std::string_view target) {
  CacheKey key;
  key.text.reserve(8 + host_header.size() + target.size());
  key.text = "http://";
  key.host_begin = key.text.size();
  std::string_view host = host_header;
  std::string_view path = target;
  if (iprefix(target, "http://")) {
    std::string_view rest = target.substr(7);
    std::size_t slash = rest.find_first_of("/?");
    host = rest.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  } else if (target.empty() || target.front() != '/') {
    return std::nullopt;  // authority-form, asterisk-form, https:// or garbage: not keyed
  }
  if (!append_host(key.text, host)) return std::nullopt;
  key.path_begin = key.text.size();
  if (!path.empty() && path.front() == '?') key.text.push_back('/');
  if (!append_target(key.text, path)) return std::nullopt;
  key.primary = hash_key_text(key.text);
  return key;
}

}  // namespace lacquer::storage
