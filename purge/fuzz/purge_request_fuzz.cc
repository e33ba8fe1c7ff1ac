// PURGE control fields. Input: "Name: value" lines separated by '\n'. Invariants: no crash;
// a refusal always says why and names no form; an accepted Purge-All form never comes with a
// Surrogate-Key field; any field whose squeezed name mentions purge/surrogate/xkey/cachetag
// and is not one of the known ones is refused; flags accept exactly the eight words.
#include <string>
#include <vector>

#include "http/fuzz/fuzz_common.h"
#include "purge/purge_request.h"

using namespace lacquer::purge;
using lacquer::http::Header;
using lacquer::http::iequals;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<Header> fields = lacquer::fuzz::split_fields(text, 64);
  const PurgeControls c = read_purge_controls(fields);
  bool has_tags = false;
  for (const Header& h : fields) has_tags = has_tags || iequals(h.name, "Surrogate-Key");
  if (c.error.empty()) {
    FUZZ_CHECK(!(c.form == PurgeForm::All && has_tags));
    FUZZ_CHECK(c.form != PurgeForm::Tags || has_tags);
    FUZZ_CHECK(!(c.form == PurgeForm::Prefix && has_tags));
    for (const Header& h : fields) {
      if (iequals(h.name, "Purge-All") || iequals(h.name, "Soft-Purge") || iequals(h.name, "Purge-Prefix"))
        FUZZ_CHECK(parse_purge_flag(h.value).has_value());
    }
  }
  for (const Header& h : fields) {
    if (auto v = parse_purge_flag(h.value)) {
      std::string w;
      for (char ch : h.value)
        if (ch != ' ' && ch != '\t') w.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch);
      FUZZ_CHECK(*v ? (w == "1" || w == "true" || w == "yes" || w == "on")
                    : (w == "0" || w == "false" || w == "no" || w == "off"));
    }
  }
  return 0;
}
