// Freshening a stored response with the header fields of a 304 (RFC 9111 §4.3.4) or of a HEAD
// response (§4.3.5), following the update rules of §3.2.
#pragma once

#include <span>
#include <vector>

#include "http/message.h"

namespace lacquer::http {

// The stored header fields updated with those of `update`: every field of `update` replaces all
// stored fields of the same name (case-insensitive), at the position of the first of them; new
// names are appended in the order of `update`. Fields of `update` that are ignored:
// Content-Length, Transfer-Encoding, Content-Encoding and Content-Range (the stored body still
// depends on the stored ones), hop-by-hop fields (is_hop_by_hop) and any name listed in the
// update's Connection field (RFC 9110 §7.6.1). The views point into `stored` and `update`.
std::vector<Header> merge_updated_fields(std::span<const Header> stored,
                                         std::span<const Header> update);

}  // namespace lacquer::http
