// A count-min sketch of recent request counts per key, with aging (TinyLFU, Einziger et al.,
// ACM ToS 2017): four rows of saturating byte counters, conservative update (only the
// smallest of a key's counters grows, which keeps the overestimate low), and every counter
// halved once the sketch has seen ten additions per counter, so old popularity fades and the
// counts describe the recent window.
//
// Pure and single-threaded: the owner serialises calls (the memory tier keeps one per shard,
// under the shard's lock; disk admission one under its mutex). Keys are already-mixed 64-bit
// hashes.
#pragma once

#include <cstdint>
#include <memory>

namespace lacquer::storage {

class FrequencySketch {
 public:
  // TinyLFU saturates at 15 (4-bit counters); with a window of ten additions per counter that
  // flattens the popular half of the cache into one count. 63 keeps them apart: +0.5 to +0.9
  // points of hits on the simulator's Zipf stream (bench/cache_sim.cc).
  static constexpr std::uint8_t kMaxCount = 63;

  // `counters`: width of each row, rounded up to a power of two (at least 64).
  explicit FrequencySketch(std::uint64_t counters);

  // Counts one occurrence of `key_hash`; returns its estimate after counting.
  std::uint32_t add(std::uint64_t key_hash);
  // Occurrences of `key_hash` in the window (an estimate: never low, sometimes high).
  std::uint32_t estimate(std::uint64_t key_hash) const;

  std::uint64_t memory_bytes() const { return kRows * width_; }
  std::uint64_t width() const { return width_; }
  // Additions between two halvings.
  std::uint64_t window() const { return sample_size_; }

 private:
  static constexpr std::uint32_t kRows = 4;
  std::uint64_t index(std::uint32_t row, std::uint64_t key_hash) const;
  void halve();

  std::uint32_t width_bits_;
  std::uint64_t width_;
  std::uint64_t sample_size_;
  std::uint64_t additions_ = 0;
  std::unique_ptr<std::uint8_t[]> counts_;  // kRows x width_
};

}  // namespace lacquer::storage
