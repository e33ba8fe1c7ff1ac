// Trimming of any ASCII whitespace, line ends included, for the text formats read whole (URL
// lists, sitemaps); header fields trim only optional whitespace (message.h).
#pragma once

#include <string_view>

namespace lacquer::http {

inline std::string_view trim_whitespace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

}  // namespace lacquer::http
