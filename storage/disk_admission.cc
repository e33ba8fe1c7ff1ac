#include "storage/disk_admission.h"

#include <algorithm>

namespace lacquer::storage {
namespace {
// One odd multiplier per row: the rows index by different bits of the same (already mixed) hash.
constexpr std::uint64_t kRowSeeds[] = {0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull,
                                       0xd6e8feb86659fd93ull};
}  // namespace

DiskAdmission::DiskAdmission(const DiskAdmissionOptions& options, std::uint64_t bytes_on_disk)
    : options_(options) {
  note_disk_bytes(bytes_on_disk);
  width_bits_ = 6;
  while ((1ull << width_bits_) < options.counters && width_bits_ < 30) ++width_bits_;
  width_ = 1ull << width_bits_;
  sample_size_ = 10 * width_;  // TinyLFU's window: ten samples per counter
  counts_ = std::make_unique<std::uint8_t[]>(rows_ * width_);
  std::fill_n(counts_.get(), rows_ * width_, std::uint8_t{0});
}

std::uint64_t DiskAdmission::index(std::uint32_t row, std::uint64_t key_hash) const {
  return row * width_ + ((key_hash * kRowSeeds[row]) >> (64 - width_bits_));
}

std::uint32_t DiskAdmission::estimate(std::uint64_t key_hash) const {
  std::lock_guard lock(mu_);
  std::uint8_t least = kMaxCount;
  for (std::uint32_t r = 0; r < kRows; ++r) least = std::min(least, counts_[index(r, key_hash)]);
  return least;
}

bool DiskAdmission::disk_filled() const { return filled_.load(std::memory_order_relaxed); }

void DiskAdmission::note_disk_bytes(std::uint64_t bytes_on_disk) {
  if (bytes_on_disk >= options_.disk_budget / 10 * 9) filled_.store(true, std::memory_order_relaxed);
}

void DiskAdmission::halve() {
  for (std::uint64_t i = 0; i < rows_ * width_; ++i) counts_[i] >>= 1;
  additions_ = 0;
}

bool DiskAdmission::admit(std::uint64_t key_hash, std::uint64_t bytes) {
  bool yes;
  {
    std::lock_guard lock(mu_);
    // Conservative update: only the smallest counters grow, which keeps the overestimate low.
    std::uint8_t least = kMaxCount;
    for (std::uint32_t r = 0; r < kRows; ++r) least = std::min(least, counts_[index(r, key_hash)]);
    if (least < kMaxCount) {
      for (std::uint32_t r = 0; r < kRows; ++r) {
        auto& c = counts_[index(r, key_hash)];
        if (c == least) ++c;
      }
      ++least;
    }
    if (++additions_ >= sample_size_) halve();
    yes = options_.admit_all || !disk_filled() || least >= options_.min_fetches;
  }
  if (yes) {
    stats_.admitted.fetch_add(1, std::memory_order_relaxed);
  } else {
    stats_.rejected.fetch_add(1, std::memory_order_relaxed);
    stats_.rejected_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
  return yes;
}

void DiskAdmission::admit_always() { stats_.admitted.fetch_add(1, std::memory_order_relaxed); }

}  // namespace lacquer::storage
