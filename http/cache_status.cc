#include "http/cache_status.h"

#include <algorithm>
#include <charconv>

namespace lacquer::http {

void CacheStatus::append_field(std::string& out) const { out.append(ResponseTail(std::nullopt, *this).view()); }

ResponseTail::ResponseTail(std::optional<std::uint64_t> age, const CacheStatus& cs) {
  if (age) {
    put("Age: ");
    put_number(*age);
    put("\r\n");
  }
  put("Cache-Status: lacquer");
  if (cs.hit) put("; hit");
  if (!cs.fwd.empty()) {
    put("; fwd=");
    put(cs.fwd);
  }
  if (cs.fwd_status) {
    put("; fwd-status=");
    put_number(static_cast<std::uint64_t>(cs.fwd_status));
  }
  if (cs.stored) put("; stored");
  if (cs.collapsed) put("; collapsed");
  if (cs.has_ttl) {
    put("; ttl=");
    if (cs.ttl < 0) put("-");
    put_number(static_cast<std::uint64_t>(cs.ttl < 0 ? -cs.ttl : cs.ttl));
  }
  if (!cs.detail.empty()) {
    put("; detail=");
    put(cs.detail.substr(0, 64));
  }
  put("\r\n");
}

void ResponseTail::put(std::string_view s) {
  const std::size_t n = std::min(s.size(), sizeof buf_ - len_);  // never short: see the header
  std::copy_n(s.data(), n, buf_ + len_);
  len_ += n;
}

void ResponseTail::put_number(std::uint64_t v) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

}  // namespace lacquer::http
