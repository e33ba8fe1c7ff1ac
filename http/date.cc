// HTTP-date (RFC 9110 §5.6.7). Parsing and formatting use days-from-civil arithmetic (proleptic
// Gregorian calendar, H. Hinnant's algorithms): no locale, no TZ, no libc time functions.
//
//   IMF-fixdate  = day-name "," SP date1 SP time-of-day SP GMT   ; Sun, 06 Nov 1994 08:49:37 GMT
//   rfc850-date  = day-name-l "," SP date2 SP time-of-day SP GMT ; Sunday, 06-Nov-94 08:49:37 GMT
//   asctime-date = day-name SP date3 SP time-of-day SP year      ; Sun Nov  6 08:49:37 1994
#include "http/date.h"

namespace lacquer::http {

namespace {

constexpr std::string_view kDays[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view kDaysLong[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 for a civil date (y, m 1..12, d 1..31).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y;
  unsigned m, d;
};
constexpr Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(1994, 11, 6) == 9075);

bool leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  static constexpr unsigned kLen[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kLen[m - 1];
}

// A tiny cursor over the text.
struct Cur {
  std::string_view s;
  std::size_t i = 0;
  // Letters match in either case: RFC 9111 §4.2 asks caches to match dates
  // case-insensitively although the grammar is case-sensitive.
  bool lit(std::string_view t) noexcept {
    if (s.size() - i < t.size()) return false;
    for (std::size_t k = 0; k < t.size(); ++k)
      if (lower(s[i + k]) != lower(t[k])) return false;
    i += t.size();
    return true;
  }
  static char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
  bool digits(std::size_t n, int& out) noexcept {
    if (s.size() - i < n) return false;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i += n;
    out = v;
    return true;
  }
  bool month(unsigned& m) noexcept {
    for (unsigned k = 0; k < 12; ++k) {
      if (lit(kMonths[k])) {
        m = k + 1;
        return true;
      }
    }
    return false;
  }
  bool end() const noexcept { return i == s.size(); }
};

// time-of-day = hour ":" minute ":" second (second may be 60: a leap second, RFC 5322 §3.3).
bool time_of_day(Cur& c, int& h, int& mi, int& se) noexcept {
  return c.digits(2, h) && c.lit(":") && c.digits(2, mi) && c.lit(":") && c.digits(2, se) &&
         h <= 23 && mi <= 59 && se <= 60;
}

std::optional<std::int64_t> to_epoch(std::int64_t y, unsigned m, int d, int h, int mi,
                                     int se) noexcept {
  if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, m))
    return std::nullopt;
  return days_from_civil(y, m, static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se;
}

std::optional<std::int64_t> parse_imf(std::string_view t) noexcept {
  Cur c{t};
  bool day = false;
  for (auto dn : kDays) day = day || c.lit(dn);
  unsigned m = 0;
  int d = 0, y = 0, h = 0, mi = 0, se = 0;
  if (!day || !c.lit(", ") || !c.digits(2, d) || !c.lit(" ") || !c.month(m) || !c.lit(" ") ||
      !c.digits(4, y) || !c.lit(" ") || !time_of_day(c, h, mi, se) || !c.lit(" GMT") || !c.end())
    return std::nullopt;
  return to_epoch(y, m, d, h, mi, se);
}

std::optional<std::int64_t> parse_rfc850(std::string_view t, std::int64_t now) noexcept {
  Cur c{t};
  bool day = false;
  for (auto dn : kDaysLong) day = day || c.lit(dn);
  unsigned m = 0;
  int d = 0, yy = 0, h = 0, mi = 0, se = 0;
  if (!day || !c.lit(", ") || !c.digits(2, d) || !c.lit("-") || !c.month(m) || !c.lit("-") ||
      !c.digits(2, yy) || !c.lit(" ") || !time_of_day(c, h, mi, se) || !c.lit(" GMT") ||
      !c.end())
    return std::nullopt;
  // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the most recent
  // past year with the same last two digits.
  const std::int64_t now_year = civil_from_days((now >= 0 ? now : now - 86399) / 86400).y;
  // The answer is the largest year ending in `yy` that is at most now_year + 50.
  std::int64_t y = (now_year / 100) * 100 + yy;
  if (y + 100 <= now_year + 50) y += 100;
  if (y > now_year + 50) y -= 100;
  return to_epoch(y, m, d, h, mi, se);
}

std::optional<std::int64_t> parse_asctime(std::string_view t) noexcept {
  Cur c{t};
  bool day = false;
  for (auto dn : kDays) day = day || c.lit(dn);
  unsigned m = 0;
  int d = 0, y = 0, h = 0, mi = 0, se = 0;
  if (!day || !c.lit(" ") || !c.month(m) || !c.lit(" ")) return std::nullopt;
  // date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
  if (c.lit(" ")) {
    if (!c.digits(1, d)) return std::nullopt;
  } else if (!c.digits(2, d)) {
    return std::nullopt;
  }
  if (!c.lit(" ") || !time_of_day(c, h, mi, se) || !c.lit(" ") || !c.digits(4, y) || !c.end())
    return std::nullopt;
  return to_epoch(y, m, d, h, mi, se);
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text, std::int64_t now) noexcept {
  // Dispatch on shape: IMF-fixdate has ',' at index 3, asctime a ' ' at index 3, RFC 850 a
  // long day name followed by ','.
  if (text.size() < 4) return std::nullopt;
  if (text[3] == ',') return parse_imf(text);
  if (text[3] == ' ') return parse_asctime(text);
  return parse_rfc850(text, now);
}

std::optional<std::int64_t> parse_http_date(std::string_view text) noexcept {
  return parse_http_date(text, kRfc850ReferenceTime);
}

void format_http_date(std::int64_t t, char out[29]) noexcept {
  // Clamp to the years IMF-fixdate can express (0000..9999).
  constexpr std::int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  if (t < kMin) t = kMin;
  if (t > kMax) t = kMax;
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const Civil cv = civil_from_days(days);
  const int wd = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  const int h = static_cast<int>(secs / 3600), mi = static_cast<int>(secs / 60 % 60),
            se = static_cast<int>(secs % 60);
  const int y = static_cast<int>(cv.y);
  auto put2 = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const std::string_view dn = kDays[wd], mn = kMonths[cv.m - 1];
  out[0] = dn[0]; out[1] = dn[1]; out[2] = dn[2];
  out[3] = ','; out[4] = ' ';
  put2(out + 5, static_cast<int>(cv.d));
  out[7] = ' ';
  out[8] = mn[0]; out[9] = mn[1]; out[10] = mn[2];
  out[11] = ' ';
  put2(out + 12, y / 100);
  put2(out + 14, y % 100);
  out[16] = ' ';
  put2(out + 17, h);
  out[19] = ':';
  put2(out + 20, mi);
  out[22] = ':';
  put2(out + 23, se);
  out[25] = ' '; out[26] = 'G'; out[27] = 'M'; out[28] = 'T';
}

std::string format_http_date(std::int64_t epoch_seconds) {
  char buf[29];
  format_http_date(epoch_seconds, buf);
  return std::string(buf, 29);
}

}  // namespace lacquer::http
