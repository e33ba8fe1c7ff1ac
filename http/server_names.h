// Which certificate answers a TLS client's server_name (SNI, RFC 6066 §3). Pure: the names come
// from the certificates (their DNS subjectAltNames, else the subject CN) and the lookup is by
// the name the client sent. Matching follows RFC 6125 §6.4: case-insensitive, a trailing dot
// ignored, and a wildcard "*.example.com" covers exactly one more label ("a.example.com", not
// "example.com" nor "a.b.example.com"). An exact name beats a wildcard; among equals the
// certificate added first wins; no match (or no server_name at all) gets the default, index 0.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lacquer::http {

class ServerNameTable {
 public:
  // Adds a name of certificate `index`: "www.example.com" or "*.example.com". False (and
  // nothing added) for a name that cannot match a host: empty, longer than 253 bytes, bytes
  // outside letters/digits/'-'/'.', an empty label, or a '*' anywhere but a whole first label
  // followed by at least two more labels.
  bool add(std::string_view name, std::size_t index);

  // The certificate for a server_name, when a name matches it.
  std::optional<std::size_t> match(std::string_view server_name) const;
  // match(), else the default certificate (0).
  std::size_t select(std::string_view server_name) const { return match(server_name).value_or(0); }

  std::size_t size() const { return exact_.size() + wildcard_.size(); }

 private:
  std::unordered_map<std::string, std::size_t> exact_;     // "www.example.com"
  std::unordered_map<std::string, std::size_t> wildcard_;  // "*.example.com" as "example.com"
};

// The canonical form of a host name for matching: lower case, without one trailing dot.
// nullopt when it is not a name a certificate can carry (see ServerNameTable::add); `wildcard`
// allows a first label "*".
std::optional<std::string> canonical_server_name(std::string_view name, bool wildcard);

}  // namespace lacquer::http
