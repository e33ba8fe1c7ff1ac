// Invalidation events: the fields of one Redis Stream entry, encoded and decoded. Pure code.
//
// Format version 1 (documented in the README, so a CMS can XADD events itself):
//   v      = "1"                          required; another value is an unknown version
//   kind   = "purge" | "hello"            required; "hello" marks a node joining (ignored)
//   node   = <node id>                    the sender; absent for external publishers
//   scope  = "url" | "tag" | "prefix" | "all"   required for purge
//   soft   = "0" | "1"                    optional, default "0"
//   url    = "http://host/path?query"     scope=url
//   prefix = "http://host/path/"          scope=prefix
//   tags   = "tag-a tag-b"                scope=tag (Surrogate-Key syntax, each at most 1024 bytes)
//   site   = <[[site]] name>              optional: scope=all purges that site only, scope=tag that
//                                         site's tags (url and prefix name a host already)
// Field names are case-sensitive; unknown extra fields are ignored (forward compatibility), so an
// event without `site` decodes as it always did.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "purge/version_table.h"

namespace lacquer::cluster {

inline constexpr std::string_view kFormatVersion = "1";

enum class EventKind { Purge, Hello };

// One target of a purge: the version-table scope and key, and the label it was named by.
struct EventTarget {
  purge::Scope scope = purge::Scope::Global;
  std::uint64_t key = 0;
  std::string label;  // tag, URL key text, normalised prefix; "all" for the global scope
};

struct Event {
  EventKind kind = EventKind::Purge;
  std::string node;  // empty: an external publisher
  bool soft = false;
  std::string site;                  // the [[site]] the purge was scoped to; empty: none
  std::vector<EventTarget> targets;  // all of one scope; empty for hello (site-scoped: see decode)
};

// Why an entry was skipped. Each kind is logged once and counted.
enum class DecodeError { None, UnknownVersion, UnknownKind, UnknownScope, Malformed };
inline constexpr int kDecodeErrorKinds = 5;
std::string_view to_string(DecodeError e) noexcept;

struct Decoded {
  std::optional<Event> event;
  DecodeError error = DecodeError::None;
  std::string detail;  // what was wrong, for the log line
};

using Field = std::pair<std::string_view, std::string_view>;
Decoded decode_event(const std::vector<Field>& fields);

// The fields to XADD for a purge this node accepted. `labels` as the purge named them (tags,
// URL key texts, one normalised prefix, or nothing for the global scope).
// With `site`, scope Global means the site's purge-all and Tag that site's tags (decode_event
// turns them back into the same version-table keys: the site's scope tag, site-combined tags).
std::vector<std::pair<std::string, std::string>> encode_purge(std::string_view node, purge::Scope scope,
                                                              const std::vector<std::string>& labels,
                                                              bool soft, std::string_view site = {});

// Whether `name` can be a [[site]] name on the wire: 1 to 64 letters, digits, '-', '_' or '.'.
bool is_site_name(std::string_view name) noexcept;
std::vector<std::pair<std::string, std::string>> encode_hello(std::string_view node);

}  // namespace lacquer::cluster
