// Recv, lookup (memory, then disk), the purge check and hits. The miss path (fetch, deliver,
// store) is in proxy_fetch.cc.
#include "edge/proxy_exchange.h"

#include <event2/buffer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <span>
#include <vector>

#include "edge/small_utils.h"
#include "edge/worker.h"
#include "purge/scopes.h"
#include "storage/disk_tier.h"
#include "storage/memory_tier.h"

namespace lacquer::edge {
namespace {

// evbuffer_add_reference cleanup: drops the reference the hit took for these bytes.
void release_entry(const void*, size_t, void* entry) {
  static_cast<const storage::Entry*>(entry)->release();
}

}  // namespace

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
void ProxyExchange::start() { recv(); }

// Recv: classify the request and build its key (also the host and target we forward).
void ProxyExchange::recv() {
  const Request& req = conn_.request();
  // HTTP/1.0 may omit Host: such requests are for the origin we front.
  std::string fallback_host;
  auto host = http::find_header(req.headers, "Host");
  if (!host) fallback_host = conn_.worker().config().origin.address.to_string();
  key_ = storage::make_cache_key(host ? *host : std::string_view(fallback_host), req.line.target);
  if (!key_) {
    synth(400, "bad-target");
    return;
  }
  is_head_ = req.line.method == "HEAD";
  cacheable_method_ = is_head_ || req.line.method == "GET";
  if (!cacheable_method_) {
    phase_ = Phase::Pass;
    conn_.worker().metrics().passes.inc();
    fetch(false);
    return;
  }
  lookup();
}

// Lookup: a fresh stored response is a hit; anything else goes to the origin.
void ProxyExchange::lookup() {
  phase_ = Phase::Lookup;
  auto& shared = conn_.worker().shared();
  storage::EntryRef entry = shared.tier->lookup(key_->primary, key_->text);
  if (entry) {
    if (try_serve(std::move(entry), false)) return;
  } else if (shared.disk) {
    lookup_disk();
    return;
  }
  phase_ = Phase::Miss;
  conn_.worker().metrics().misses.inc();
  fetch(true);
}

// DiskLookup: the read runs on a disk-tier thread; the answer comes back through the inbox.
void ProxyExchange::lookup_disk() {
  phase_ = Phase::DiskLookup;
  std::weak_ptr<bool> alive = alive_;
  LoopInbox* inbox = &conn_.worker().inbox();
  conn_.worker().shared().disk->lookup(key_->text, key_->primary, [this, alive, inbox](storage::EntryRef e) {
    inbox->post([this, alive, e = std::move(e)]() mutable {
      if (alive.expired()) return;  // the client left while we were reading
      on_disk_result(std::move(e));
    });
  });
}

void ProxyExchange::on_disk_result(storage::EntryRef entry) {
  if (entry && try_serve(std::move(entry), true)) return;
  phase_ = Phase::Miss;
  conn_.worker().metrics().misses.inc();
  fetch(true);
}

bool ProxyExchange::try_serve(storage::EntryRef entry, bool from_disk) {
  auto& shared = conn_.worker().shared();
  auto validity = check_purges(*entry.get());
  if (validity == purge::Validity::Invalid) {
    // Reclaim it now: it can never be served again.
    if (from_disk) shared.disk->erase(key_->text);
    else shared.tier->erase(key_->primary, key_->text, entry.get());
    return false;
  }
  if (validity == purge::Validity::Stale) {
    had_stale_ = true;  // soft-purged: refetched until stale serving lands (RFC 9111 issue)
    return false;
  }
  const auto& m = entry->meta();
  std::int64_t age = http::current_age(m.corrected_initial_age, m.response_time, now_seconds());
  if (age >= static_cast<std::int64_t>(m.lifetime_s)) {
    had_stale_ = true;  // revalidation arrives with the RFC 9111 issue; refetch for now
    return false;
  }
  if (from_disk) {
    // Admission: promote on the first disk hit. SIEVE already demotes objects that are not hit
    // again quickly, so a one-off promotion costs little, and a second-hit rule would make every
    // object pay a second disk read after a restart.
    conn_.worker().metrics().disk_hits.inc();
    shared.tier->insert(entry);
  }
  serve_hit(entry, age);
  return true;
}

ProxyExchange::~ProxyExchange() = default;

// The purge fast path: nothing was purged since this entry was last found valid.
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
    if (prefixes.empty()) purge::entry_prefix_hashes(entry.key(), key_->path_begin, prefixes);
    return prefixes;
  };
  const std::uint64_t url = purge::url_hash(entry.key());
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

// Hit: the stored head and body go out by reference; only Age, Cache-Status and the
// connection line are made per response.
void ProxyExchange::serve_hit(const storage::EntryRef& entry, std::int64_t age) {
  phase_ = Phase::Hit;
  conn_.worker().metrics().hits.inc();
  evbuffer* out = conn_.output();
  const storage::Entry* e = entry.get();
  e->retain();
  evbuffer_add_reference(out, e->head().data(), e->head().size(), release_entry, const_cast<storage::Entry*>(e));
  // The per-response part of the head, built on the stack: no allocation on a hit.
  char dynamic[160];
  char* p = dynamic;
  auto put = [&p](std::string_view s) { p = std::copy(s.begin(), s.end(), p); };
  put("Age: ");
  p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(age)).ptr;
  put("\r\nCache-Status: lacquer; hit; ttl=");
  p = std::to_chars(p, p + 20, static_cast<std::uint64_t>(e->meta().lifetime_s - age)).ptr;
  put("\r\n");
  put(conn_.connection_header());  // at most "Connection: keep-alive\r\n"
  put("\r\n");
  evbuffer_add(out, dynamic, static_cast<std::size_t>(p - dynamic));
  if (!is_head_ && !e->body().empty()) {
    e->retain();
    evbuffer_add_reference(out, e->body().data(), e->body().size(), release_entry, const_cast<storage::Entry*>(e));
  }
  phase_ = Phase::Done;
  conn_.finish(conn_.keep_alive());
}

}  // namespace lacquer::edge
