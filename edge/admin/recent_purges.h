// The last purges this node accepted (scope, what was named, soft or hard, when), for the
// dashboard. Any worker, and the cluster's consumer thread, adds (purges are rare next to
// requests: a mutex is fine); the admin thread reads a copy.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace lacquer::edge {

struct RecentPurge {
  std::int64_t time_ms = 0;  // wall clock, milliseconds since the epoch
  std::string scope;         // "url", "tag", "prefix", "all"
  std::string label;         // the URL, tags (space-separated) or prefix; "all" for a purge of everything
  bool soft = false;
  std::string from;          // "" when this node accepted it; else the node (or "a publisher") it came from
};

class RecentPurges {
 public:
  static constexpr std::size_t kKept = 20;
  void add(RecentPurge p) {
    if (p.label.size() > 256) p.label.resize(256);
    std::lock_guard lock(mu_);
    ring_[next_ % kKept] = std::move(p);
    ++next_;
  }
  // Newest first.
  std::vector<RecentPurge> newest() const {
    std::lock_guard lock(mu_);
    std::vector<RecentPurge> out;
    const std::size_t n = next_ < kKept ? next_ : kKept;
    for (std::size_t i = 0; i < n; ++i) out.push_back(ring_[(next_ - 1 - i) % kKept]);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::array<RecentPurge, kKept> ring_;
  std::size_t next_ = 0;
};

}  // namespace lacquer::edge
