// Reading the admin API's query parameters. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lacquer::edge {

// Percent-decodes (and '+' to space); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s);
// The decoded value of the first `name=` parameter in `target`'s query, or nullopt.
std::optional<std::string> query_param(std::string_view target, std::string_view name);
// "http://host/path?q" -> (host, "/path?q"); "host/path" is accepted too. nullopt otherwise.
std::optional<std::pair<std::string, std::string>> split_url(std::string_view url);

}  // namespace lacquer::edge
