// Writing HTTP/1.1 heads. Output goes to a caller-owned std::string so a connection can reuse
// one buffer for every response it writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lacquer::http {

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view reason_phrase(int status) noexcept;

// "HTTP/1.1 200 OK\r\n"
void append_status_line(std::string& out, int status, std::string_view reason = {});
// "Name: value\r\n"
void append_header(std::string& out, std::string_view name, std::string_view value);
void append_header(std::string& out, std::string_view name, std::uint64_t value);
// Appends `value` in decimal.
void append_decimal(std::string& out, std::uint64_t value);
// "GET /path HTTP/1.1\r\n"
void append_request_line(std::string& out, std::string_view method, std::string_view target);
// Chunk framing for a chunked body: "<hex>\r\n" before data, "\r\n" after; the last chunk is
// "0\r\n\r\n".
void append_chunk_header(std::string& out, std::size_t size);
inline constexpr std::string_view kChunkTrailer = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace lacquer::http
