// FetchJob's RFC 9111 §4.1 secondary keys (Vary) and §4.3.4 freshening of a stale entry with a
// 304 from the origin.
#include "edge/fetch/fetch_job.h"
#include "http/response_fields.h"
#include "http/stored_head.h"
#include "http/header_update.h"
#include "http/serializer.h"
#include "http/vary.h"

namespace lacquer::edge {

// The response varies: it is stored under the URL's key plus the secondary key made from the
// request fields its Vary names (a marker under the URL records the names).
void FetchJob::prepare_variant(std::span<const http::Header> response_headers) {
  http::VarySpec vary = http::parse_vary(response_headers);
  if (vary.star || vary.fields.empty()) return;
  head_.vary = http::serialize_vary(vary);
  head_.variant_key = spec_.key.text;
  http::append_variant_key(head_.variant_key, head_.vary, spec_.request_fields);
}

// §4.3.4: the 304's fields replace the stored ones, the stored body stays, freshness starts
// again from the 304. The refreshed entry replaces the stale one in both tiers.
void FetchJob::refresh_from_304(const origin::ResponseHead& head) {
  const storage::Entry& old = *spec_.revalidating.get();
  const std::string_view old_head = old.head();
  const std::vector<http::Header> merged = http::merge_updated_fields(http::stored_fields(old_head), head.headers);
  std::string new_head(old_head.substr(0, old_head.find("\r\n") + 2));  // the stored status line
  http::append_end_to_end_fields(new_head, merged, http::FieldFilter{ctx_.config.cache.keep_surrogate_headers, ctx_.config.cache.forward_cdn_cache_control});
  http::append_header(new_head, "Content-Length", static_cast<std::uint64_t>(old.body().size()));
  facts_ = http::response_facts(old.meta().status, merged);
  fill_meta(old.meta().status, http::freshness_lifetime(facts_, cache_policy(), response_time_).value_or(0));
  if (http::find_header(head.headers, "Surrogate-Key")) take_surrogate_keys(head.headers);
  else tags_.assign(old.tags().begin(), old.tags().end());
  auto entry = storage::Entry::create(old.key(), old.hash(), new_head, old.body(), meta_, tags_);
  ctx_.cache.publish(entry, spec_.key, {});
  ctx_.metrics.revalidated.inc();
  {
    std::lock_guard lock(mu_);
    refreshed_ = std::move(entry);
    state_ = FetchState::Refreshed;
  }
  wake_subscribers();
}

}  // namespace lacquer::edge
