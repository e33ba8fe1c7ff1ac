// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850 and asctime forms. Pure functions;
// times are seconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lacquer::http {

// nullopt when the text is not a valid HTTP-date in any of the three forms (RFC 9110 §5.6.7
// asks recipients to accept all three). Day names, month names and "GMT" match in any case
// (RFC 9111 §4.2: caches match dates case-insensitively); nothing else is relaxed: no other
// zone, no extra or missing spaces, no trailing text, no impossible dates. The two-digit year of an RFC 850 date is resolved against
// `now` (a timestamp more than 50 years in the future is taken as the most recent past year
// with those digits); the one-argument form resolves it against kRfc850ReferenceTime, because
// this code never reads a clock.
std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept;
std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now) noexcept;
inline constexpr std::int64_t kRfc850ReferenceTime = 1735689600;  // 2025-01-01T00:00:00Z
// Always IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (29 chars).
std::string format_http_date(std::int64_t epoch_seconds);
void format_http_date(std::int64_t epoch_seconds, char out[29]) noexcept;

}  // namespace lacquer::http
