#pragma once
// Implementation of for_each_list_member (a template, so it lives in a header).
namespace lacquer::http {

template <class Fn>
void for_each_list_member(std::string_view value, Fn&& fn) {
  std::size_t i = 0;
  const std::size_t n = value.size();
  while (i < n) {
    std::size_t start = i;
    bool quoted = false;
    while (i < n) {
      char c = value[i];
      if (quoted) {
        if (c == '\\' && i + 1 < n) {
          i += 2;
          continue;
        }
        if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        break;
      }
      ++i;
    }
    std::string_view member = value.substr(start, i - start);
    while (!member.empty() && (member.front() == ' ' || member.front() == '\t'))
      member.remove_prefix(1);
    while (!member.empty() && (member.back() == ' ' || member.back() == '\t'))
      member.remove_suffix(1);
    if (!member.empty()) fn(member);
    ++i;  // skip the comma
  }
}

}  // namespace lacquer::http
