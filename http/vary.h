// Vary (RFC 9110 §12.5.5) and the secondary cache key (RFC 9111 §4.1). A stored response with
// Vary keeps its field names in canonical text; a request's variant key is built from those
// names and the request's values for them, normalised so that requests that differ only in
// whitespace (or in the case of the Accept* tokens) share a variant.
//
//   Vary = #( "*" / field-name )
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace lacquer::http {

struct VarySpec {
  bool star = false;                // "Vary: *": never matches (§4.1); `fields` is then empty
  std::vector<std::string> fields;  // lower-case names, sorted, unique
};

// All Vary lines of a response. "*" anywhere gives star. Empty members and members that are
// not tokens are skipped.
VarySpec parse_vary(std::span<const Header> response_headers);

// Canonical text stored with a Vary marker: the names joined by ',', e.g.
// "accept-encoding,accept-language"; "*" for star (such responses are not stored).
std::string serialize_vary(const VarySpec& v);

// Appends the secondary key of a request. For each name in `serialized_fields` (the text
// above): '\x1f', the name, then '\x1e' when the request has no such field, else '=' and the
// values of all its lines joined with ',' and normalised: OWS around list commas removed, runs
// of SP/HTAB collapsed to one SP, leading and trailing OWS dropped; quoted strings are copied
// as they are. Accept, Accept-Charset, Accept-Encoding and Accept-Language are lower-cased
// outside quoted strings (their tokens are case-insensitive). An absent field never equals an
// empty one. Values hold no CTLs other than HTAB (the parser rejects them), so the separators
// cannot be forged.
void append_variant_key(std::string& out, std::string_view serialized_fields,
                        std::span<const Header> request_headers);

}  // namespace lacquer::http
