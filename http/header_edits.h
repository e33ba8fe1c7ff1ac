// Per-site header rules, applied: fields to drop from a message and fields to add to it
// (nginx's proxy_set_header / more_clear_headers, Varnish's `set`/`unset req.http.X` and
// `resp.http.X`). A "set" drops every field of that name and adds one with the new value, so
// the same view serves both. Pure; nothing is allocated beyond what `out` needs.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lacquer::http {

struct HeaderEdits {
  std::span<const std::string> drop;  // names (case-insensitive) removed or replaced
  std::string_view add;               // "Name: value\r\n" lines for the set rules, preformatted
  bool empty() const noexcept { return drop.empty() && add.empty(); }
};

// Whether a field named `name` is dropped by the rules.
bool drops(const HeaderEdits& edits, std::string_view name) noexcept;

// `lines` is a head's text without the blank line: an optional start line ("HTTP/1.1 200 OK\r\n",
// kept when `has_start_line`), then "Name: value\r\n" fields. Appends it to `out` without the
// fields the rules drop; the added fields are not appended (the caller places them).
void append_without_dropped(std::string& out, std::string_view lines, bool has_start_line, const HeaderEdits& edits);

}  // namespace lacquer::http
