// Certificate selection by SNI. Input: names separated by '\n'; all but the last are added to
// a table (certificate i for line i), the last is the client's server_name. Invariants: a match
// is the index of an added name, the select() of a name with its case flipped and a trailing dot
// is the same, and an added exact name always selects a certificate that carries it or an
// earlier one.
#include <string>
#include <vector>

#include "http/fuzz/fuzz_common.h"
#include "http/server_names.h"

using namespace lacquer::http;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (true) {
    const std::size_t nl = in.find('\n');
    lines.push_back(in.substr(0, nl));
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }
  ServerNameTable table;
  std::vector<bool> added(lines.size(), false);
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) added[i] = table.add(lines[i], i);
  const std::string_view query = lines.back();
  const auto m = table.match(query);
  if (m) {
    FUZZ_CHECK(*m + 1 < lines.size());
    FUZZ_CHECK(added[*m]);
  }
  std::string respelled(query);
  for (char& c : respelled)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  if (!respelled.empty() && respelled.back() != '.') {
    respelled.push_back('.');
    FUZZ_CHECK(table.select(respelled) == table.select(query));
  }
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    if (!added[i] || lines[i].starts_with("*")) continue;
    const auto got = table.match(lines[i]);
    FUZZ_CHECK(got && *got <= i);
  }
  return 0;
}
