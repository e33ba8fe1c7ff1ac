// Heads of the answers a cache makes from a stored response rather than send it as stored: 304
// (RFC 9110 §15.4.5), 206 for one range, 416 (§14), and the judging of a request's
// preconditions and Range against the stored validators. Pure; shared by small entries served
// from memory and large objects served from disk.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "http/conditional.h"
#include "http/message.h"
#include "http/range.h"
#include "http/stored_head.h"

namespace lacquer::http {

Precondition stored_preconditions(std::span<const Header> request_headers, const StoredValidators& v);

// The request's Range resolved against a body of `length` bytes, Ignore when there is none or
// an If-Range does not match the stored validators (then the whole response is sent).
RangeSet requested_ranges(std::span<const Header> request_headers, const StoredValidators& v, std::uint64_t length);

// Each field of the stored head but those named in `skip`, as "Name: value\r\n".
void append_fields_except(std::string& out, std::string_view stored_head, std::initializer_list<std::string_view> skip);

// Status line and fields of a 304: the stored fields without the representation's own metadata.
void append_not_modified_head(std::string& out, std::string_view stored_head);
// ... of a 206 for `range` of a `length`-byte body: Content-Range and the range's Content-Length.
void append_single_range_head(std::string& out, std::string_view stored_head, ByteRange range, std::uint64_t length);
// ... of a 416: "bytes */length" and an empty body.
void append_unsatisfiable_head(std::string& out, std::string_view stored_head, std::uint64_t length);

}  // namespace lacquer::http
