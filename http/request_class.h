// Classifying a request for the cache: which methods are safe, which may be answered from the
// cache, and which fields make an answer depend on more than the stored bytes.
#pragma once

#include <string_view>

#include "http/message.h"

namespace lacquer::http {

// RFC 9110 §9.2.1. A success of any other method invalidates stored responses (RFC 9111 §4.4).
inline bool is_safe_method(std::string_view m) noexcept {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE";
}

// Methods lacquer answers from the cache and stores (HEAD from a stored GET).
inline bool is_cacheable_method(std::string_view m) noexcept { return m == "GET" || m == "HEAD"; }

// The preconditions of RFC 9110 §13.1 and the Range fields of §14: the cache evaluates them
// itself against the stored (or fetched) response, so a cacheable fetch leaves them out and a
// hit has to look at them.
inline bool is_conditional_field(std::string_view name) noexcept {
  return iequals(name, "If-None-Match") || iequals(name, "If-Modified-Since") || iequals(name, "If-Match") ||
         iequals(name, "If-Unmodified-Since") || iequals(name, "If-Range") || iequals(name, "Range");
}

}  // namespace lacquer::http
