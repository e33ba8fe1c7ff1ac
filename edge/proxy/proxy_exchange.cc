// Recv and lookup (memory, then disk; Vary markers lead to the variant), the purge check, and
// the choice RFC 9111 makes for a stored response. Hits are in proxy_hit.cc, the miss path in
// proxy_fetch.cc.
#include "edge/proxy/proxy_exchange.h"

#include <array>
#include <span>
#include <vector>

#include "edge/server/clock.h"
#include "edge/server/worker.h"
#include "http/stored_use.h"
#include "http/target_authority.h"
#include "http/upgrade.h"
#include "http/vary.h"
#include "purge/scopes.h"
#include "storage/disk_tier.h"
#include "storage/memory_tier.h"
#include "storage/presence_filter.h"

namespace lacquer::edge {

std::string_view to_string(Phase p) noexcept {
  switch (p) {
    case Phase::Recv: return "recv";
    case Phase::Lookup: return "lookup";
    case Phase::DiskLookup: return "disk-lookup";
    case Phase::Hit: return "hit";
    case Phase::Miss: return "miss";
    case Phase::Pass: return "pass";
    case Phase::Fetch: return "fetch";
    case Phase::Deliver: return "deliver";
    case Phase::Synth: return "synth";
    case Phase::Done: return "done";
  }
  return "?";
}

ProxyExchange::~ProxyExchange() { detach(); }

void ProxyExchange::start() { recv(); }

// Recv: classify the request and build its key (also the host and target we forward).
void ProxyExchange::recv() {
  const Request& req = conn_.request();
  // HTTP/1.0 may omit Host: RFC 9112 §3.3 gives the authority (see http/target_authority.h).
  auto host = http::find_header(req.headers, "Host");
  const std::string local = host && !host->empty() ? std::string() : conn_.local_address();
  key_ = storage::make_cache_key(
      http::target_authority(host, conn_.worker().config().server.default_host, local), req.line.target);
  if (!key_) {
    synth(400, "bad-target");
    return;
  }
  // RFC 9110 §7.8: a request asking for an upgrade is never answered from the cache nor stored
  // (a valid one became an UpgradeTunnel in main_routes; this one goes without its Upgrade).
  if (http::has_upgrade_field(req.headers)) {
    pass();
    return;
  }
  is_head_ = req.line.method == "HEAD";
  cacheable_method_ = is_head_ || req.line.method == "GET";
  if (!cacheable_method_) {
    pass();
    return;
  }
  for (const auto& h : req.headers) {
    if (http::iequals(h.name, "Cache-Control")) {
      client_has_cc_ = true;
      http::parse_cache_control(h.value, client_cc_);
    } else if (http::iequals(h.name, "Pragma")) {
      http::for_each_list_member(h.value, [&](std::string_view m) { pragma_no_cache_ |= http::iequals(m, "no-cache"); });
    } else if (h.name.size() > 3 && (http::iequals(h.name.substr(0, 3), "if-") || http::iequals(h.name, "Range"))) {
      client_conditional_ = true;
    }
  }
  lookup();
}

// Lookup: the memory tier first; the disk tier when memory has nothing.
void ProxyExchange::lookup() {
  phase_ = Phase::Lookup;
  auto& tier = *conn_.worker().shared().tier;
  storage::EntryRef entry = tier.lookup(key_->primary, key_->text);
  if (!entry) {
    if (maybe_on_disk(key_->text)) lookup_disk(key_->text, key_->primary, false);
    else miss("miss");
    return;
  }
  on_found(std::move(entry), false);
}

void ProxyExchange::on_found(storage::EntryRef entry, bool from_disk) {
  if (!(entry->meta().flags & storage::kEntryVaryMarker)) {
    consider(std::move(entry), from_disk);
    return;
  }
  auto& shared = conn_.worker().shared();
  if (check_purges(*entry.get()) == purge::Validity::Invalid) {
    if (from_disk) shared.disk->erase(key_->text);
    else shared.tier->erase(key_->primary, key_->text, entry.get());
    miss("miss");
    return;
  }
  if (from_disk) shared.tier->insert(entry);
  variant_key_ = variant_key_for(entry->head());
  const std::uint64_t hash = storage::hash_key_text(variant_key_);
  storage::EntryRef variant = shared.tier->lookup(hash, variant_key_);
  if (variant) consider(std::move(variant), false);
  else if (maybe_on_disk(variant_key_)) lookup_disk(variant_key_, hash, true);
  else miss("vary-miss");
}

std::string ProxyExchange::variant_key_for(std::string_view vary) const {
  std::string key = key_->text;
  http::append_variant_key(key, vary, conn_.request().headers);
  return key;
}

// The presence filter spares the disk read (and two thread hops) for keys never written.
bool ProxyExchange::maybe_on_disk(std::string_view key_text) const {
  const auto& shared = conn_.worker().shared();
  return shared.disk && shared.disk_filter->may_contain(storage::disk_key(key_text));
}

// DiskLookup: the read runs on a disk-tier thread; the answer comes back through the inbox.
void ProxyExchange::lookup_disk(std::string key, std::uint64_t hash, bool variant) {
  phase_ = Phase::DiskLookup;
  std::weak_ptr<bool> alive = alive_;
  LoopInbox* inbox = &conn_.worker().inbox();
  conn_.worker().shared().disk->lookup(std::move(key), hash, [this, alive, inbox, variant](storage::EntryRef e) {
    inbox->post([this, alive, variant, e = std::move(e)]() mutable {
      if (alive.expired()) return;  // the client left while we were reading
      on_disk_result(std::move(e), variant);
    });
  });
}

void ProxyExchange::on_disk_result(storage::EntryRef entry, bool variant) {
  if (!entry) miss(variant ? "vary-miss" : "miss");
  else if (variant) consider(std::move(entry), true);
  else on_found(std::move(entry), true);
}

// A stored response: purged, fresh, stale-but-allowed, or in need of the origin.
void ProxyExchange::consider(storage::EntryRef entry, bool from_disk) {
  auto& shared = conn_.worker().shared();
  auto validity = check_purges(*entry.get());
  if (validity == purge::Validity::Invalid) {
    // Reclaim it now: it can never be served again.
    if (from_disk) shared.disk->erase(std::string(entry->key()));
    else shared.tier->erase(entry->hash(), entry->key(), entry.get());
    miss("miss");
    return;
  }
  if (from_disk) {
    // Admission: promote on the first disk hit. SIEVE already demotes objects that are not hit
    // again quickly, so a one-off promotion costs little, and a second-hit rule would make every
    // object pay a second disk read after a restart.
    conn_.worker().metrics().disk_hits.inc();
    shared.tier->insert(entry);
  }
  const auto& m = entry->meta();
  http::StoredState st;
  st.age = http::current_age(m.corrected_initial_age, m.response_time, now_seconds());
  st.lifetime = m.lifetime_s;
  st.stale_while_revalidate = m.stale_while_revalidate_s;
  st.must_revalidate = m.flags & storage::kEntryMustRevalidate;
  st.no_cache = m.flags & storage::kEntryNoCache;
  st.soft_purged = validity == purge::Validity::Stale;
  http::RequestCacheNeeds need{client_cc_, pragma_no_cache_, client_has_cc_,
                               conn_.worker().config().cache.honour_client_no_cache};
  const std::int64_t ttl = static_cast<std::int64_t>(m.lifetime_s) - st.age;
  switch (http::decide_stored_use(st, need)) {
    case http::StoredUse::Fresh:
      serve_entry(entry, {.hit = true, .has_ttl = true, .ttl = st.soft_purged ? std::min<std::int64_t>(ttl, 0) : ttl});
      return;
    case http::StoredUse::StaleAllowedByClient:
      serve_entry(entry, {.hit = true, .has_ttl = true, .ttl = ttl, .detail = "max-stale"});
      return;
    case http::StoredUse::StaleWhileRevalidate:
      conn_.worker().metrics().stale_while_revalidate.inc();
      refresh_in_background(entry);
      serve_entry(entry, {.hit = true, .has_ttl = true, .ttl = std::min<std::int64_t>(ttl, 0),
                          .detail = "stale-while-revalidate"});
      return;
    case http::StoredUse::Validate:
      stale_ = std::move(entry);
      miss("stale");
      return;
    case http::StoredUse::ClientRequiresForward:
      stale_ = std::move(entry);
      miss("request");
      return;
  }
}

// The purge fast path: nothing was purged since this entry was last found valid. The scopes
// are the request's URL (every variant of it shares them) and the entry's tags.
purge::Validity ProxyExchange::check_purges(const storage::Entry& entry) {
  auto& shared = conn_.worker().shared();
  auto& versions = shared.versions;
  const std::uint64_t last = versions.last_purge_seq();
  const std::uint64_t checked = entry.checked_seq();
  if (checked >= last) return purge::Validity::Valid;
  if (entry.meta().birth_seq < versions.forgotten_below()) {
    // Born before versions the table has since forgotten: it cannot be checked, so it is a miss.
    shared.purge_metrics.invalid_entries_met.fetch_add(1, std::memory_order_relaxed);
    return purge::Validity::Invalid;
  }
  std::vector<std::uint64_t> prefixes;
  auto prefix_hashes = [&]() -> std::span<const std::uint64_t> {
    if (prefixes.empty()) purge::entry_prefix_hashes(key_->text, key_->path_begin, prefixes);
    return prefixes;
  };
  const std::uint64_t url = purge::url_hash(key_->text);
  std::array<purge::PurgeRecord, 64> recent;
  purge::Validity v;
  if (versions.recent(checked, last, recent)) {
    v = purge::validity_from_recent(std::span(recent.data(), last - checked), url, entry.tags(), prefix_hashes);
  } else {
    purge::EntryScopes scopes{entry.meta().birth_seq, url, entry.tags(), prefix_hashes()};
    v = purge::validity(scopes, [&](purge::Scope s, std::uint64_t k) { return versions.get(s, k); });
  }
  if (v == purge::Validity::Valid) entry.set_checked_seq(last);
  else if (v == purge::Validity::Invalid) shared.purge_metrics.invalid_entries_met.fetch_add(1, std::memory_order_relaxed);
  else shared.purge_metrics.stale_entries_met.fetch_add(1, std::memory_order_relaxed);
  return v;
}

}  // namespace lacquer::edge
