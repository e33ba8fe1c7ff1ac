// RFC 8941 Dictionary parsing and the CDN-Cache-Control mapping on arbitrary bytes. Invariants:
// no crash; every view lies inside the input; an accepted dictionary, written back from its
// members (canonical spacing), parses to the same members; the targeted mapping accepts only
// what the dictionary parser accepts.
#include <string>
#include <vector>

#include "http/fuzz/fuzz_common.h"
#include "http/structured_field.h"
#include "http/targeted_cache_control.h"

using namespace lacquer::http;

namespace {
struct Member {
  std::string key, value, params;
  SfType type;
  std::int64_t integer;
  bool operator==(const Member&) const = default;
};

std::string write_value(const SfMember& m) {
  switch (m.type) {
    case SfType::Integer: return std::to_string(m.integer);
    case SfType::Decimal: {
      const std::int64_t a = m.integer < 0 ? -m.integer : m.integer;
      std::string frac = std::to_string(a % 1000);
      frac.insert(0, 3 - frac.size(), '0');
      return (m.integer < 0 ? "-" : "") + std::to_string(a / 1000) + "." + frac;
    }
    case SfType::String: return "\"" + std::string(m.text) + "\"";
    case SfType::ByteSequence: return ":" + std::string(m.text) + ":";
    case SfType::Boolean: return m.integer ? "?1" : "?0";
    case SfType::Token:
    case SfType::InnerList: return std::string(m.text);
  }
  return {};
}

bool collect(std::string_view field, std::vector<Member>& out) {
  auto visit = [&](const SfMember& m) {
    FUZZ_CHECK(lacquer::fuzz::within(m.key, field) && lacquer::fuzz::within(m.text, field) &&
               lacquer::fuzz::within(m.params, field));
    FUZZ_CHECK(!m.key.empty());
    out.push_back({std::string(m.key), write_value(m), std::string(m.params), m.type, m.integer});
  };
  return parse_sf_dictionary(field, visit);
}
}  // namespace

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view field(reinterpret_cast<const char*>(data), size);
  std::vector<Member> members;
  const bool ok = collect(field, members);
  if (!ok) FUZZ_CHECK(members.empty());
  const bool targeted = parse_targeted_cache_control(field).has_value();
  FUZZ_CHECK(!targeted || (ok && !members.empty()));
  if (!ok) return 0;
  std::string canonical;
  for (const Member& m : members) {
    if (!canonical.empty()) canonical += ", ";
    canonical += m.key;
    if (!(m.type == SfType::Boolean && m.integer == 1)) canonical += "=" + m.value;
    canonical += m.params;
  }
  std::vector<Member> again;
  FUZZ_CHECK(collect(canonical, again));
  FUZZ_CHECK(again == members);
  return 0;
}
