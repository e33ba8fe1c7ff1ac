// An HTTP/2 request's decoded header list (RFC 9113 §8.2-8.3) turned into the HTTP/1.1 request
// head the rest of lacquer reads: "METHOD path HTTP/1.1", a Host field from :authority, then the
// regular fields. Validation is strict and sticky: the first problem is kept and every later
// field is ignored, so the caller can answer with a stream error (or 431 for TooLarge).
//
// Pure: no sockets, no nghttp2. nghttp2 already enforces most of these rules; we check them
// again so nothing malformed reaches the engine whatever the library lets through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lacquer::http {

enum class H2FieldError : std::uint8_t {
  None,
  BadName,             // empty, uppercase or non-token name (§8.2.1)
  BadValue,            // NUL/CR/LF, or leading/trailing whitespace (§8.2.1)
  ConnectionSpecific,  // Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade (§8.2.2)
  BadTe,               // TE other than "trailers" (§8.2.2)
  PseudoAfterRegular,  // a pseudo-header after a regular field (§8.3)
  UnknownPseudo,       // a pseudo-header that is not a request one (§8.3.1)
  DuplicatePseudo,
  MissingPseudo,       // no :method, :scheme or :path, or neither :authority nor Host
  BadPseudo,           // a :method that is no token, a :path not starting with '/', userinfo in :authority
  Connect,             // CONNECT: we are not a tunnel
  HostMismatch,        // Host and :authority disagree (§8.3.1)
  TooLarge,            // the decoded list passed the header byte limit
};

std::string_view describe(H2FieldError e);

// The client connection preface (RFC 9113 §3.4) that starts an HTTP/2 connection with prior
// knowledge (§3.3).
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
enum class PrefaceMatch : std::uint8_t { No, Partial, Full };
// Full when `first_bytes` start with the whole preface; Partial while they are a proper prefix.
inline PrefaceMatch match_h2_preface(std::string_view first_bytes) {
  const std::size_t n = first_bytes.size() < kH2Preface.size() ? first_bytes.size() : kH2Preface.size();
  if (first_bytes.substr(0, n) != kH2Preface.substr(0, n)) return PrefaceMatch::No;
  return n == kH2Preface.size() ? PrefaceMatch::Full : PrefaceMatch::Partial;
}

class H2RequestHead {
 public:
  // Each field counts name + value + 4 bytes (": " and CRLF), as the HTTP/1.1 head would.
  explicit H2RequestHead(std::size_t max_header_bytes) : max_bytes_(max_header_bytes) {}
  // Back to the state of a new head (for the next request), keeping the buffers' capacity.
  void reset(std::size_t max_header_bytes);

  // One decoded field, in order. Returns the (sticky) error state.
  H2FieldError add(std::string_view name, std::string_view value);
  // The header block is complete: checks the required pseudo-headers.
  H2FieldError finish();
  H2FieldError error() const { return error_; }
  std::size_t bytes() const { return bytes_; }
  std::string_view method() const { return method_; }
  std::string_view authority() const { return authority_; }
  bool has_content_length() const { return has_content_length_; }

  // Appends the HTTP/1.1 head (ending in the blank line) to `out`. `body_length` > 0 without a
  // content-length field from the client adds one, so the origin request is framed.
  void build(std::string& out, std::uint64_t body_length) const;

 private:
  H2FieldError fail(H2FieldError e) {
    if (error_ == H2FieldError::None) error_ = e;
    return error_;
  }
  H2FieldError add_pseudo(std::string_view name, std::string_view value);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  H2FieldError error_ = H2FieldError::None;
  bool saw_regular_ = false;
  bool has_content_length_ = false;
  bool has_scheme_ = false;
  std::string method_, authority_, path_, host_;
  std::string fields_;  // "name: value\r\n" lines, Host and Cookie left out
  std::string cookie_;  // cookie crumbs joined with "; " (§8.2.3)
};

}  // namespace lacquer::http
