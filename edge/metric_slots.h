// Stable slots for labelled per-worker metrics (per site, per origin server) across reloads.
// Workers keep fixed arrays of kCapacity counters each; a reload may add, remove or reorder
// sites and servers, so a series is found by its label key ("site" name, "pool/server"), never
// by position: the same key keeps its slot for the life of the process, so its counters stay
// monotonic and a removed-then-restored site continues where it was. Keys past kCapacity get
// no slot (-1) and are simply not counted. Main thread only (built while a snapshot is made);
// workers read the slot numbers the immutable snapshot holds.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lacquer::edge {

class MetricSlots {
 public:
  static constexpr std::size_t kCapacity = 256;

  // The slot of `key`, assigned on first use; -1 once kCapacity keys have slots.
  int slot(std::string_view key) {
    auto it = slots_.find(std::string(key));
    if (it != slots_.end()) return it->second;
    if (slots_.size() >= kCapacity) return -1;
    const int s = static_cast<int>(slots_.size());
    slots_.emplace(std::string(key), s);
    return s;
  }

 private:
  std::unordered_map<std::string, int> slots_;
};

}  // namespace lacquer::edge
