// Incremental chunked transfer-coding decoder (RFC 9112 §7.1). A tiny explicit state machine
// (picohttpparser's phr_chunked_decoder idea): feed it whatever bytes have arrived; each step
// consumes a prefix and may yield a view of body data inside that prefix. It never copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/parse_error.h"

namespace lacquer::http {

struct ChunkedLimits {
  std::size_t max_size_digits = 16;      // hex digits of chunk-size (more is BadChunkSize)
  std::size_t max_extension = 4 * 1024;  // bytes of chunk-ext per chunk line
  std::size_t max_trailer_bytes = 32 * 1024;
  // Decoded body bytes allowed in all; a chunk-size line that would pass it is BodyTooLarge at
  // once (not after waiting for data that would only be refused).
  std::uint64_t max_body_bytes = UINT64_MAX;
};

struct ChunkStep {
  enum class Kind : std::uint8_t { Data, NeedMore, Done, Error };
  Kind kind = Kind::NeedMore;
  std::size_t consumed = 0;    // bytes of input used by this step (may be > 0 with NeedMore)
  std::string_view data;       // for Data: body bytes, a view into the input
  ParseError error = ParseError::None;
};

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(ChunkedLimits limits = {}) noexcept : limits_(limits) {}

  // Consumes a prefix of `in`. Call again with the unconsumed rest until NeedMore (then wait
  // for more bytes: the unconsumed bytes must be presented again, followed by new ones), Done
  // (the terminating chunk and trailer section were read; `consumed` ends exactly after them)
  // or Error. Trailer fields are validated for syntax and discarded.
  ChunkStep step(std::string_view in) noexcept;

  bool done() const noexcept { return state_ == State::Done; }
  std::uint64_t body_bytes() const noexcept { return body_bytes_; }

 private:
  enum class State : std::uint8_t { Size, Extension, SizeLF, Data, DataCR, DataLF, Trailer, Done, Error };
  ChunkedLimits limits_;
  State state_ = State::Size;
  std::uint64_t remaining_ = 0;   // bytes left in the current chunk
  std::size_t digits_ = 0;
  std::size_t ext_bytes_ = 0;
  std::size_t trailer_bytes_ = 0;
  std::uint64_t body_bytes_ = 0;
  // Trailer line scanning state (implementation-defined use).
  std::size_t trailer_line_bytes_ = 0;
  bool trailer_saw_cr_ = false;
  bool trailer_in_value_ = false;           // past the colon of the current trailer field
  ParseError error_ = ParseError::None;     // sticky once state_ == Error
};

}  // namespace lacquer::http
