#include "storage/frequency_sketch.h"

#include <algorithm>

namespace lacquer::storage {
namespace {
// One odd multiplier per row: the rows index by different bits of the same (already mixed) hash.
constexpr std::uint64_t kRowSeeds[] = {0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull,
                                       0xd6e8feb86659fd93ull};
}  // namespace

FrequencySketch::FrequencySketch(std::uint64_t counters) {
  width_bits_ = 6;
  while ((1ull << width_bits_) < counters && width_bits_ < 30) ++width_bits_;
  width_ = 1ull << width_bits_;
  sample_size_ = 10 * width_;  // TinyLFU's window: ten samples per counter
  counts_ = std::make_unique<std::uint8_t[]>(kRows * width_);
  std::fill_n(counts_.get(), kRows * width_, std::uint8_t{0});
}

std::uint64_t FrequencySketch::index(std::uint32_t row, std::uint64_t key_hash) const {
  return row * width_ + ((key_hash * kRowSeeds[row]) >> (64 - width_bits_));
}

std::uint32_t FrequencySketch::estimate(std::uint64_t key_hash) const {
  std::uint8_t least = kMaxCount;
  for (std::uint32_t r = 0; r < kRows; ++r) least = std::min(least, counts_[index(r, key_hash)]);
  return least;
}

std::uint32_t FrequencySketch::add(std::uint64_t key_hash) {
  std::uint8_t* c[kRows];
  std::uint8_t least = kMaxCount;
  for (std::uint32_t r = 0; r < kRows; ++r) {
    c[r] = &counts_[index(r, key_hash)];
    least = std::min(least, *c[r]);
  }
  if (least < kMaxCount) {
    for (auto* p : c)
      if (*p == least) ++*p;
    ++least;
  }
  if (++additions_ >= sample_size_) halve();
  return least;
}

void FrequencySketch::halve() {
  for (std::uint64_t i = 0; i < kRows * width_; ++i) counts_[i] >>= 1;
  additions_ = 0;
}

}  // namespace lacquer::storage
