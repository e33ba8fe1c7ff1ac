// A JSON string literal for a value we put in an answer (purge scopes, cluster state): quotes,
// backslashes and control bytes escaped, other bytes passed through.
#pragma once

#include <string>
#include <string_view>

namespace lacquer::http {

std::string json_string(std::string_view s);

}  // namespace lacquer::http
