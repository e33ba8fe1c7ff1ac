// A stored response. Immutable once published to a tier, shared by reference count: a hit takes
// a reference, hands the head and body bytes to libevent by reference (no copy), and the last
// evbuffer callback drops it. Whoever drops the count to zero frees the entry, on any thread.
//
// Layout of the stored head: the status line and the stored header fields exactly as they go on
// the wire ("HTTP/1.1 200 OK\r\nContent-Type: ...\r\n...Content-Length: N\r\n"), WITHOUT the
// blank line, so a hit only appends what changes per response (Age, Cache-Status, Connection)
// and the final CRLF.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/sieve.h"

namespace lacquer::storage {

// 3 added fetch_ms; version 2 records still decode (fetch_ms = 0: unknown).
inline constexpr std::uint8_t kEntryFormatVersion = 3;

// EntryMeta::flags
inline constexpr std::uint8_t kEntryMustRevalidate = 1;  // must-revalidate / proxy-revalidate: never served stale
inline constexpr std::uint8_t kEntryNoCache = 2;         // no-cache: revalidated on every use
inline constexpr std::uint8_t kEntryVaryMarker = 4;      // not a response: the head lists the Vary field names
inline constexpr std::uint8_t kEntryLarge = 8;           // a large object: the body is on disk in chunks, and
                                                         // body() holds only its descriptor (large_object.h)

struct EntryMeta {
  std::int64_t response_time = 0;          // when the head arrived (epoch seconds)
  std::int64_t corrected_initial_age = 0;  // RFC 9111 §4.2.3
  std::uint64_t birth_seq = 0;             // purge sequence when the origin request was sent
  std::uint32_t lifetime_s = 0;            // freshness lifetime, §4.2.1
  std::uint32_t stale_while_revalidate_s = 0;  // RFC 5861 (or the configured grace)
  std::uint32_t stale_if_error_s = 0;          // RFC 5861 (or the configured grace)
  std::uint32_t fetch_ms = 0;              // how long the origin fetch took (early refresh); 0: unknown
  std::uint16_t status = 0;
  std::uint8_t format_version = kEntryFormatVersion;
  std::uint8_t flags = 0;                  // kEntry* above
  // Seconds since the epoch after which the entry can never be served again, not even stale.
  std::int64_t useless_after() const {
    std::uint32_t stale = stale_while_revalidate_s > stale_if_error_s ? stale_while_revalidate_s : stale_if_error_s;
    if (flags & kEntryMustRevalidate) stale = 0;
    return response_time - corrected_initial_age + lifetime_s + stale;
  }
};

class EntryRef;

// One allocation per entry: this header, then the tag hashes (8-byte aligned, right after the
// header), the key, the head and the body. Entry is-a SieveNode so the shard's eviction list needs
// no back-pointer. The header is pinned below; it and the hash-map node are the whole per-object
// overhead (target: under 200 bytes beyond key, head and body).
class Entry : public SieveNode {
 public:
  static EntryRef create(std::string_view key, std::uint64_t hash, std::string_view head,
                         std::string_view body, const EntryMeta& meta,
                         std::span<const std::uint64_t> tags = {});
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  std::span<const std::uint64_t> tags() const {  // surrogate-key hashes (purge/surrogate_keys.h)
    return {reinterpret_cast<const std::uint64_t*>(this + 1), tag_count_};
  }
  std::string_view key() const { return {bytes(), key_len_}; }
  std::string_view head() const { return {bytes() + key_len_, head_len_}; }
  std::string_view body() const { return {bytes() + key_len_ + head_len_, body_len_}; }
  std::uint64_t hash() const { return hash_; }
  const EntryMeta& meta() const { return meta_; }
  // Purge fast path: the entry was found valid against every purge up to this sequence.
  std::uint64_t checked_seq() const { return checked_seq_.load(std::memory_order_acquire); }
  void set_checked_seq(std::uint64_t seq) const { checked_seq_.store(seq, std::memory_order_release); }
  // Bytes charged against the memory budget: the allocation plus the index node.
  std::size_t charged_bytes() const {
    return sizeof(Entry) + tag_count_ * sizeof(std::uint64_t) + key_len_ + head_len_ + body_len_ +
           kIndexOverhead;
  }

  void retain() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() const {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(this);
  }

  // Approximate per-entry cost of the shard's hash map node and bucket.
  static constexpr std::size_t kIndexOverhead = 48;

 private:
  Entry(std::uint64_t hash, const EntryMeta& meta) : hash_(hash), meta_(meta), checked_seq_(meta.birth_seq) {}
  ~Entry() = default;
  static void destroy(const Entry* e);
  const char* bytes() const {
    return reinterpret_cast<const char*>(this + 1) + tag_count_ * sizeof(std::uint64_t);
  }

  std::uint64_t hash_;
  EntryMeta meta_;
  mutable std::atomic<std::uint64_t> checked_seq_;
  std::uint64_t body_len_ = 0;
  std::uint32_t key_len_ = 0;
  std::uint32_t head_len_ = 0;
  std::uint32_t tag_count_ = 0;
  mutable std::atomic<std::uint32_t> refs_{1};
};
static_assert(sizeof(Entry) % alignof(std::uint64_t) == 0, "tags follow the header, 8-byte aligned");
static_assert(sizeof(Entry) <= 112, "the per-entry header is part of the <200-byte overhead budget");

// Owning handle to one reference.
class EntryRef {
 public:
  EntryRef() = default;
  // Adopts one existing reference.
  static EntryRef adopt(const Entry* e) { EntryRef r; r.e_ = e; return r; }
  static EntryRef share(const Entry* e) { if (e) e->retain(); return adopt(e); }
  EntryRef(const EntryRef& o) : e_(o.e_) { if (e_) e_->retain(); }
  EntryRef(EntryRef&& o) noexcept : e_(o.e_) { o.e_ = nullptr; }
  EntryRef& operator=(EntryRef o) noexcept { std::swap(e_, o.e_); return *this; }
  ~EntryRef() { if (e_) e_->release(); }

  const Entry* get() const { return e_; }
  const Entry* operator->() const { return e_; }
  explicit operator bool() const { return e_ != nullptr; }
  // Gives up ownership of the reference (the caller must release it).
  const Entry* leak() { auto* e = e_; e_ = nullptr; return e; }

 private:
  const Entry* e_ = nullptr;
};

}  // namespace lacquer::storage
