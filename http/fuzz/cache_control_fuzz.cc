// Cache-Control parsing, response facts, freshness and storability on arbitrary fields.
// Input: "Name: value" lines separated by '\n'; the first line is also parsed as one raw
// Cache-Control value. The first bytes choose status, times and policy switches.
#include <string>
#include <vector>

#include "http/cache_control.h"
#include "http/freshness.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::http;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const int status = 100 + (data[0] | (data[1] << 8)) % 900;
  const std::int64_t response_time = 784111777 + static_cast<std::int8_t>(data[2]) * 1000;
  const std::uint32_t age_value = data[3] * 1000u;
  CachePolicy p;
  p.store_set_cookie = data[4] & 1;
  p.allow_vary = data[4] & 2;
  p.heuristic_freshness = data[4] & 4;
  p.honour_request_no_store = data[4] & 8;
  p.max_ttl_s = (data[4] & 16) ? 60 : p.max_ttl_s;
  const bool auth = data[5] & 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 8), size - 8);

  CacheControl raw;
  parse_cache_control(text.substr(0, text.find('\n')), raw);
  if (raw.max_age) FUZZ_CHECK(*raw.max_age <= kDeltaSecondsMax);
  if (raw.s_maxage) FUZZ_CHECK(*raw.s_maxage <= kDeltaSecondsMax);

  std::vector<Header> hs;
  std::size_t pos = 0;
  while (pos <= text.size() && hs.size() < 64) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      hs.push_back({line.substr(0, colon), v});
    }
    pos = nl + 1;
  }
  const ResponseFacts f = response_facts(status, hs);
  const auto lt = freshness_lifetime(f, p, response_time);
  if (lt) FUZZ_CHECK(*lt <= p.max_ttl_s);
  const CacheControl& eff = f.effective();
  if (eff.no_cache || eff.conflicting_s_maxage) FUZZ_CHECK(lt && *lt == 0);

  RequestFacts req{(data[5] & 2) ? "GET" : "POST", auth, {}};
  parse_cache_control(text.substr(0, text.find('\n')), req.cache_control);
  const NoStoreReason why = storability(req, f, p, response_time);
  FUZZ_CHECK(!to_string(why).empty());
  if (req.method != "GET") FUZZ_CHECK(why == NoStoreReason::MethodNotCacheable);
  if (why == NoStoreReason::None) {
    FUZZ_CHECK(!eff.private_);
    FUZZ_CHECK(!f.vary_star);
    FUZZ_CHECK(status != 206);
  }

  AgeInputs a{response_time - data[6], response_time, f.date, f.age ? f.age : age_value};
  const std::int64_t cia = corrected_initial_age(a);
  FUZZ_CHECK(cia >= 0);
  FUZZ_CHECK(current_age(cia, response_time, response_time + data[7]) == cia + data[7]);
  return 0;
}
