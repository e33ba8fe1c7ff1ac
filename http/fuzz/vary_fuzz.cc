// Vary parsing and secondary keys. Input: "Name: value" lines separated by '\n', used both as
// the response (its Vary lines) and as the request; lines with CTLs other than HTAB are dropped,
// as the parser would reject them. Invariants: the field list is sorted, unique, lower-case
// tokens, and survives serialize/parse; the key holds one '\x1f' per field; and the key does not
// change when the request's names change case, OWS is added around commas and at the ends,
// whitespace runs grow, or (Accept*) letters change case. Fields with quoted strings are left
// alone by that rewrite, since whitespace inside quotes is significant.
#include <algorithm>
#include <string>
#include <vector>

#include "http/fuzz/fuzz_common.h"
#include "http/vary.h"

using namespace lacquer::http;

namespace {
bool has_ctl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool accept_family(std::string_view n) {
  return iequals(n, "accept") || iequals(n, "accept-charset") || iequals(n, "accept-encoding") ||
         iequals(n, "accept-language");
}

char flip_case(char c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 32);
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c + 32);
  return c;
}

// A whitespace-equivalent spelling of `v` (no quotes in it).
std::string respell(std::string_view v, bool fold_case) {
  std::string out = " \t";
  for (char c : v) {
    if (c == ',') {
      out += " \t, ";
    } else if (c == ' ' || c == '\t') {
      out += "\t ";
    } else {
      out += fold_case ? flip_case(c) : c;
    }
  }
  out += "\t ";
  return out;
}
}  // namespace

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Header> hs = lacquer::fuzz::split_fields(text, 32);
  std::erase_if(hs, [](const Header& h) { return has_ctl(h.name) || has_ctl(h.value); });

  const VarySpec spec = parse_vary(hs);
  if (spec.star) FUZZ_CHECK(spec.fields.empty());
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    const std::string& f = spec.fields[i];
    FUZZ_CHECK(!f.empty());
    for (char c : f) FUZZ_CHECK(is_tchar(static_cast<unsigned char>(c)) && !(c >= 'A' && c <= 'Z'));
    if (i > 0) FUZZ_CHECK(spec.fields[i - 1] < f);
  }
  const std::string serialized = serialize_vary(spec);
  const Header again{"Vary", serialized};
  const VarySpec back = parse_vary(std::span<const Header>(&again, 1));
  FUZZ_CHECK(back.star == spec.star && back.fields == spec.fields);
  if (spec.star) return 0;

  std::string key;
  append_variant_key(key, serialized, hs);
  FUZZ_CHECK(static_cast<std::size_t>(std::count(key.begin(), key.end(), '\x1f')) ==
             spec.fields.size());

  // The same request, respelled.
  std::vector<std::string> names, values;
  names.reserve(hs.size());
  values.reserve(hs.size());
  for (const Header& h : hs) {
    const bool quoted = std::any_of(hs.begin(), hs.end(), [&](const Header& o) {
      return iequals(o.name, h.name) && o.value.find('"') != std::string_view::npos;
    });
    std::string n(h.name);
    for (char& c : n) c = flip_case(c);
    names.push_back(std::move(n));
    values.push_back(quoted ? std::string(h.value) : respell(h.value, accept_family(h.name)));
  }
  std::vector<Header> respelled;
  for (std::size_t i = 0; i < hs.size(); ++i) respelled.push_back({names[i], values[i]});
  std::string key2;
  append_variant_key(key2, serialized, respelled);
  FUZZ_CHECK(key == key2);
  return 0;
}
