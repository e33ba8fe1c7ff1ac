// Incremental chunked transfer-coding decoder (RFC 9112 §7.1). Byte-at-a-time state machine:
// every byte it looks at is consumed (its meaning is kept in the state), except that a Data
// step returns as soon as it has a run of body bytes to hand out.
//
//   chunked-body   = *chunk last-chunk trailer-section CRLF
//   chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//   chunk-size     = 1*HEXDIG
//   last-chunk     = 1*("0") [ chunk-ext ] CRLF
//
// Strictness: no whitespace around chunk-size (we reject the BWS before ';' that §7.1.1
// permits), CRLF only (bare CR or LF is BadChunkTerminator), bounded size digits and
// extensions, trailer fields syntax-checked (as header fields, RFC 9112 §7.1.2) and discarded.
#include "http/chunked.h"

namespace lacquer::http {

namespace {
int hex_value(unsigned char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool tchar(unsigned char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}
// Field-value and chunk-ext bytes: VCHAR, SP, HTAB, obs-text.
bool value_char(unsigned char c) noexcept { return c == '\t' || (c >= 0x20 && c != 0x7F); }
constexpr std::uint64_t kMaxChunk = std::uint64_t{1} << 63;
}  // namespace

ChunkStep ChunkedDecoder::step(std::string_view in) noexcept {
  ChunkStep out;
  if (state_ == State::Done) {
    out.kind = ChunkStep::Kind::Done;
    return out;
  }
  if (state_ == State::Error) {
    out.kind = ChunkStep::Kind::Error;
    out.error = error_;
    return out;
  }
  const std::size_t n = in.size();
  std::size_t i = 0;
  auto fail = [&](ParseError e) {
    state_ = State::Error;
    error_ = e;
    out.kind = ChunkStep::Kind::Error;
    out.error = e;
    out.consumed = i;
    return out;
  };

  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    switch (state_) {
      case State::Size: {
        const int v = hex_value(c);
        if (v >= 0) {
          if (digits_ == limits_.max_size_digits) return fail(ParseError::BadChunkSize);
          if (remaining_ > (kMaxChunk - static_cast<std::uint64_t>(v)) / 16)
            return fail(ParseError::BadChunkSize);  // value > 2^63
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(v);
          ++digits_;
        } else if (c == ';' && digits_) {
          state_ = State::Extension;
          ext_bytes_ = 0;
        } else if (c == '\r' && digits_) {
          state_ = State::SizeLF;
        } else if (c == '\n') {
          return fail(ParseError::BadChunkTerminator);
        } else {
          return fail(ParseError::BadChunkSize);  // empty size, whitespace, junk
        }
        ++i;
        break;
      }
      case State::Extension:
        if (c == '\r') {
          state_ = State::SizeLF;
        } else if (c == '\n') {
          return fail(ParseError::BadChunkTerminator);
        } else {
          if (++ext_bytes_ > limits_.max_extension) return fail(ParseError::ChunkExtensionTooLong);
          if (!value_char(c)) return fail(ParseError::BadChunkSize);  // CTL in chunk-ext
        }
        ++i;
        break;
      case State::SizeLF:
        if (c != '\n') return fail(ParseError::BadChunkTerminator);  // bare CR
        ++i;
        digits_ = 0;
        if (remaining_ > limits_.max_body_bytes - body_bytes_) return fail(ParseError::BodyTooLarge);
        if (remaining_ == 0) {
          state_ = State::Trailer;  // last-chunk
          trailer_line_bytes_ = 0;
          trailer_saw_cr_ = false;
          trailer_in_value_ = false;
        } else {
          state_ = State::Data;
        }
        break;
      case State::Data: {
        const std::size_t avail = n - i;
        const std::size_t take =
            remaining_ < avail ? static_cast<std::size_t>(remaining_) : avail;
        out.kind = ChunkStep::Kind::Data;
        out.data = in.substr(i, take);
        out.consumed = i + take;
        remaining_ -= take;
        body_bytes_ += take;
        if (remaining_ == 0) state_ = State::DataCR;
        return out;
      }
      case State::DataCR:
        if (c != '\r') return fail(ParseError::BadChunkTerminator);
        state_ = State::DataLF;
        ++i;
        break;
      case State::DataLF:
        if (c != '\n') return fail(ParseError::BadChunkTerminator);
        state_ = State::Size;
        ++i;
        break;
      case State::Trailer:
        // trailer-section = *( field-line CRLF ), then the final CRLF.
        if (++trailer_bytes_ > limits_.max_trailer_bytes) return fail(ParseError::TrailerTooLarge);
        if (trailer_saw_cr_) {
          if (c != '\n') return fail(ParseError::BadChunkTerminator);
          ++i;
          if (trailer_line_bytes_ == 0) {
            state_ = State::Done;
            out.kind = ChunkStep::Kind::Done;
            out.consumed = i;
            return out;
          }
          if (!trailer_in_value_) return fail(ParseError::BadHeaderName);  // no colon
          trailer_line_bytes_ = 0;
          trailer_saw_cr_ = false;
          trailer_in_value_ = false;
          break;
        }
        if (c == '\r') {
          trailer_saw_cr_ = true;
        } else if (c == '\n') {
          return fail(ParseError::BadChunkTerminator);
        } else if (trailer_in_value_) {
          if (!value_char(c)) return fail(ParseError::BadHeaderValue);
          ++trailer_line_bytes_;
        } else {
          if (trailer_line_bytes_ == 0 && (c == ' ' || c == '\t'))
            return fail(ParseError::ObsFold);
          if (c == ':') {
            if (trailer_line_bytes_ == 0) return fail(ParseError::BadHeaderName);
            trailer_in_value_ = true;
          } else if (c == ' ' || c == '\t') {
            return fail(ParseError::WhitespaceBeforeColon);
          } else if (!tchar(c)) {
            return fail(ParseError::BadHeaderName);
          }
          ++trailer_line_bytes_;
        }
        ++i;
        break;
      case State::Done:
      case State::Error:
        break;  // unreachable: handled above
    }
  }
  out.kind = ChunkStep::Kind::NeedMore;
  out.consumed = i;
  return out;
}

}  // namespace lacquer::http
