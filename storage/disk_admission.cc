#include "storage/disk_admission.h"

namespace lacquer::storage {

DiskAdmission::DiskAdmission(const DiskAdmissionOptions& options, std::uint64_t bytes_on_disk)
    : options_(options), sketch_(options.counters) {
  note_disk_bytes(bytes_on_disk);
}

std::uint32_t DiskAdmission::estimate(std::uint64_t key_hash) const {
  std::lock_guard lock(mu_);
  return sketch_.estimate(key_hash);
}

bool DiskAdmission::disk_filled() const { return filled_.load(std::memory_order_relaxed); }

void DiskAdmission::note_disk_bytes(std::uint64_t bytes_on_disk) {
  if (bytes_on_disk >= options_.disk_budget / 10 * 9) filled_.store(true, std::memory_order_relaxed);
}

bool DiskAdmission::admit(std::uint64_t key_hash, std::uint64_t bytes) {
  bool yes;
  {
    std::lock_guard lock(mu_);
    const std::uint32_t least = sketch_.add(key_hash);
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
