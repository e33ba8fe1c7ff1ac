// RFC 8941 Structured Field Values: the Dictionary form (§3.2), as used by targeted cache
// fields (RFC 9213 §2.1). A strict parser: any error fails the whole field, as §4.2 requires.
//
//   sf-dictionary  = dict-member *( OWS "," OWS dict-member )
//   dict-member    = member-key ( parameters / ( "=" member-value ))
//   member-value   = sf-item / inner-list
//   sf-item        = bare-item parameters
//   bare-item      = sf-integer / sf-decimal / sf-string / sf-token / sf-binary / sf-boolean
//
// Views only: members point into the caller's text; nothing is allocated.
#pragma once

#include <cstdint>
#include <string_view>

namespace lacquer::http {

enum class SfType : std::uint8_t { Integer, Decimal, String, Token, ByteSequence, Boolean, InnerList };

struct SfMember {
  std::string_view key;       // lcalpha / "*" then lcalpha / DIGIT / "_" / "-" / "." / "*"
  SfType type = SfType::Boolean;
  std::int64_t integer = 1;   // Integer: the value; Boolean: 0 or 1; Decimal: value x 1000
  std::string_view text;      // String: the content between the quotes, still escaped;
                              // Token / ByteSequence (base64, without colons) / InnerList
                              // (with its parentheses): the raw text
  std::string_view params;    // the raw parameters (";a=1;b"), empty when none
};

// Parses `field` (one field value, or several field lines joined with ", ") as a Dictionary.
// On success calls visit(member) for every member in field order and returns true; a key that
// appears twice is visited twice (RFC 8941 §4.2.2: the later value wins). On any parse error
// returns false and visits nothing. An empty field is a valid empty dictionary.
bool parse_sf_dictionary(std::string_view field, void (*visit)(void* ctx, const SfMember&),
                         void* ctx) noexcept;

template <class Fn>
bool parse_sf_dictionary(std::string_view field, Fn& fn) noexcept {
  return parse_sf_dictionary(
      field, [](void* ctx, const SfMember& m) { (*static_cast<Fn*>(ctx))(m); },
      static_cast<void*>(&fn));
}

}  // namespace lacquer::http
