// Response head parser + response framing + cache facts. Invariants as for requests.
#include <array>
#include <string>

#include "http/framing.h"
#include "http/freshness.h"
#include "http/parser.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::http;
using lacquer::fuzz::within;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::array<Header, 16> hs;
  ParseLimits small;
  small.max_request_line = 64;
  small.max_field = 48;
  small.max_header_bytes = 256;
  for (const ParseLimits& lim : {small, ParseLimits{}}) {
    const auto r = parse_response_head(in, hs, lim);
    if (r.status == ParseStatus::Error) {
      FUZZ_CHECK(r.error != ParseError::None);
      continue;
    }
    if (r.status == ParseStatus::Incomplete) continue;
    FUZZ_CHECK(r.consumed <= in.size());
    const std::string_view head = in.substr(0, r.consumed);
    FUZZ_CHECK(r.line.status >= 100 && r.line.status <= 999);
    FUZZ_CHECK(within(r.line.reason, head));
    for (std::size_t i = 0; i < r.header_count; ++i)
      FUZZ_CHECK(within(hs[i].name, head) && within(hs[i].value, head));
    std::array<Header, 16> hs2;
    const auto shorter = parse_response_head(head.substr(0, head.size() - 1), hs2, lim);
    FUZZ_CHECK(shorter.status == ParseStatus::Incomplete);

    const std::span<const Header> fields(hs.data(), r.header_count);
    for (std::string_view method : {"GET", "HEAD"}) {
      const auto f = response_framing(r.line.status, method, fields);
      if (method == "HEAD") FUZZ_CHECK(f.ok() && f.framing.kind == BodyKind::None);
    }
    const ResponseFacts facts = response_facts(r.line.status, fields);
    CachePolicy p;
    p.heuristic_freshness = true;
    const auto lt = freshness_lifetime(facts, p, 784111777);
    if (lt) FUZZ_CHECK(*lt <= p.max_ttl_s);
    RequestFacts req{"GET", false, {}};
    const NoStoreReason why = storability(req, facts, p, 784111777);
    FUZZ_CHECK(!to_string(why).empty());
    if (r.line.status == 206) FUZZ_CHECK(why == NoStoreReason::PartialContent);
  }
  return 0;
}
