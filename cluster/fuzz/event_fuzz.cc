// Stream entry decoding (what any XADD to the stream can make a node read). Input: fields as
// lines "name=value" separated by '\n' (the value may hold any byte but '\n').
// Invariants: decoding never fails hard; a decoded purge names at least one target, all of
// one scope, with bounded tags; re-encoding a decoded purge and decoding it again gives the
// same targets (what a node publishes is what its peers apply). Stream IDs round-trip.
#include <string>
#include <vector>

#include "cluster/event.h"
#include "cluster/stream_id.h"
#include "purge/scopes.h"
#include "http/fuzz/fuzz_common.h"

using namespace lacquer::cluster;

extern "C" int LACQUER_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Field> fields;
  std::size_t start = 0;
  while (start <= text.size() && fields.size() < 32) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    auto eq = line.find('=');
    fields.emplace_back(line.substr(0, eq), eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1));
    start = end + 1;
  }
  if (auto id = parse_stream_id(text.substr(0, 48))) {
    FUZZ_CHECK(parse_stream_id(id->to_string()) == id);
  }
  Decoded d = decode_event(fields);
  FUZZ_CHECK(d.event.has_value() == (d.error == DecodeError::None));
  if (!d.event || d.event->kind != EventKind::Purge) return 0;
  const auto& ev = *d.event;
  FUZZ_CHECK(!ev.targets.empty());
  std::vector<std::string> labels;
  for (const auto& t : ev.targets) {
    FUZZ_CHECK(t.scope == ev.targets.front().scope);
    if (t.scope == lacquer::purge::Scope::Tag) {
      FUZZ_CHECK(!t.label.empty() && t.label.size() <= 1024);
      FUZZ_CHECK(t.label.find_first_of(" \t") == std::string::npos);
    }
    labels.push_back(t.label);
  }
  lacquer::purge::Scope scope = ev.targets.front().scope;
  // A site's purge-all decodes to the site's scope tag; it is encoded back as scope=all.
  if (!ev.site.empty() && scope == lacquer::purge::Scope::Tag &&
      ev.targets.front().key == lacquer::purge::site_scope_hash(ev.site))
    scope = lacquer::purge::Scope::Global;
  if (scope == lacquer::purge::Scope::Global) labels.clear();
  auto encoded = encode_purge("fuzz", scope, labels, ev.soft, ev.site);
  std::vector<Field> again;
  for (const auto& [k, v] : encoded) again.emplace_back(k, v);
  Decoded d2 = decode_event(again);
  FUZZ_CHECK(d2.event.has_value());
  FUZZ_CHECK(d2.event->soft == ev.soft && d2.event->node == "fuzz" && d2.event->site == ev.site);
  FUZZ_CHECK(d2.event->targets.size() == ev.targets.size());
  for (std::size_t i = 0; i < ev.targets.size(); ++i) {
    FUZZ_CHECK(d2.event->targets[i].scope == ev.targets[i].scope);
    FUZZ_CHECK(d2.event->targets[i].key == ev.targets[i].key);
  }
  return 0;
}
