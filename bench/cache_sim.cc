// Trace-driven comparison of eviction and disk-admission policies on the hit-ratio benchmark's
// streams (bench/hitratio.sh), without servers: what each policy would hit, and what the disk
// tier would write, for the same request sequence.
//
//   g++ -O2 -std=c++20 -I. bench/cache_sim.cc storage/sieve.cc storage/frequency_sketch.cc \
//       storage/disk_admission.cc storage/entry.cc storage/memory_tier.cc -o /tmp/cache_sim
//   /tmp/cache_sim [objects 20000] [object KiB 64] [memory MiB 128] [disk MiB 256] [requests 60000] [warm-up 40000]
//
// Memory tier: SIEVE (storage/sieve.h, the class lacquer runs) or S3-FIFO (Yang et al., SOSP '23:
// a small FIFO of 10% for new objects, a main FIFO, a ghost list of keys evicted from the small
// one; simulated here). Disk tier: a FIFO byte budget (what FIFO compaction does), fed on every
// origin fetch, with lacquer's admission (storage/disk_admission.h) or admitting everything; a
// memory miss that finds the object on disk is a disk hit and promotes it to memory.
// Streams: Zipf(0.9) over all objects; and a scan-heavy one: the same Zipf stream with every
// fourth request a URL never requested before nor again (a crawler walking the site).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <tuple>
#include <list>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/disk_admission.h"
#include "storage/frequency_sketch.h"
#include "storage/memory_tier.h"
#include "storage/sieve.h"

using namespace lacquer::storage;

namespace {

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class MemoryPolicy {
 public:
  virtual ~MemoryPolicy() = default;
  virtual bool lookup(std::uint64_t key) = 0;  // true = hit (and the hit is recorded)
  virtual void insert(std::uint64_t key) = 0;  // after a miss
};

class Sieve final : public MemoryPolicy {
 public:
  explicit Sieve(std::size_t capacity) : capacity_(capacity) {}
  bool lookup(std::uint64_t key) override {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    SieveList::touch(it->second.get());
    return true;
  }
  void insert(std::uint64_t key) override {
    while (index_.size() >= capacity_) {
      auto* victim = static_cast<Node*>(list_.evict());
      index_.erase(victim->key);
    }
    auto n = std::make_unique<Node>();
    n->key = key;
    list_.insert(n.get());
    index_.emplace(key, std::move(n));
  }

 private:
  struct Node : SieveNode { std::uint64_t key = 0; };
  std::size_t capacity_;
  SieveList list_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Node>> index_;
};

// SIEVE with TinyLFU admission (what storage/memory_tier does with admission on): every request
// is counted in a frequency sketch; when the cache is full a newcomer takes the place of the
// least frequent of the next `sample` SIEVE candidates only if the sketch has seen it more often,
// else it is not stored. `window` > 0 adds W-TinyLFU's window: newcomers enter a small SIEVE of
// that many objects first, and what the window evicts competes for the main part.
class SieveTinyLfu final : public MemoryPolicy {
 public:
  SieveTinyLfu(std::size_t capacity, std::size_t window, std::uint64_t counters, int sample)
      : window_cap_(window), main_cap_(capacity - window), sample_(sample), sketch_(counters) {}
  bool lookup(std::uint64_t key) override {
    sketch_.add(mix(key));
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    SieveList::touch(it->second.get());
    return true;
  }
  void insert(std::uint64_t key) override {
    auto n = std::make_unique<Node>();
    n->key = key;
    if (window_cap_ == 0) {
      if (!admit_into_main(n.get())) return;
    } else {
      n->in_window = true;
      window_.insert(n.get());
      if (window_.size() > window_cap_) {
        auto* out = static_cast<Node*>(window_.evict());
        out->in_window = false;
        if (!admit_into_main(out)) index_.erase(out->key);
      }
    }
    index_.emplace(key, std::move(n));
  }

 private:
  struct Node : SieveNode { std::uint64_t key = 0; bool in_window = false; };
  bool admit_into_main(Node* n) {
    if (main_.size() >= main_cap_) {
      auto* v = static_cast<Node*>(main_.victim());
      std::uint32_t fv = sketch_.estimate(mix(v->key));
      SieveNode* cur = v->newer;
      for (int i = 1; i < sample_ && cur; cur = cur->newer) {
        if (cur->visited.load(std::memory_order_relaxed)) continue;
        ++i;
        auto* o = static_cast<Node*>(cur);
        if (std::uint32_t f = sketch_.estimate(mix(o->key)); f < fv) { v = o; fv = f; }
      }
      if (sketch_.estimate(mix(n->key)) <= fv) return false;
      main_.remove(v);
      index_.erase(v->key);
    }
    main_.insert(n);
    return true;
  }
  std::size_t window_cap_, main_cap_;
  int sample_;
  FrequencySketch sketch_;
  SieveList window_, main_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Node>> index_;
};

// lacquer's memory tier itself (storage/memory_tier.h: 64 shards, a byte budget, SIEVE, and
// admission when asked), holding real entries of the object size.
class Tier final : public MemoryPolicy {
 public:
  Tier(std::uint64_t budget, std::uint64_t object_bytes, bool admission)
      : tier_(budget, MemoryTierOptions{.admission = admission}), body_(object_bytes, 'x') {}
  bool lookup(std::uint64_t key) override { return bool(tier_.lookup(mix(key), name(key))); }
  void insert(std::uint64_t key) override {
    tier_.insert(Entry::create(name(key), mix(key), "HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n", body_, {}));
  }

 private:
  static std::string name(std::uint64_t key) { return "http://origin/random/65536/" + std::to_string(key); }
  MemoryTier tier_;
  std::string body_;
};

// LRU (what Varnish runs): the reference the hit-ratio target is set against.
class Lru final : public MemoryPolicy {
 public:
  explicit Lru(std::size_t capacity) : capacity_(capacity) {}
  bool lookup(std::uint64_t key) override {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    order_.splice(order_.begin(), order_, it->second);
    return true;
  }
  void insert(std::uint64_t key) override {
    if (index_.size() >= capacity_) {
      index_.erase(order_.back());
      order_.pop_back();
    }
    order_.push_front(key);
    index_[key] = order_.begin();
  }

 private:
  std::size_t capacity_;
  std::list<std::uint64_t> order_;
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> index_;
};

// LFU with exact counts of every request since the start (in cache or not): evicts the least
// counted object, admits a newcomer only if counted more often. The best a history-based policy
// can do on a stationary stream; a reference, not a candidate (its count table never shrinks).
class ExactLfu final : public MemoryPolicy {
 public:
  explicit ExactLfu(std::size_t capacity) : capacity_(capacity) {}
  bool lookup(std::uint64_t key) override {
    std::uint64_t& c = counts_[key];
    if (auto it = cached_.find(key); it != cached_.end()) {
      by_count_.erase({c, key});
      by_count_.insert({c + 1, key});
      ++c;
      return true;
    }
    ++c;
    return false;
  }
  void insert(std::uint64_t key) override {
    std::uint64_t c = counts_[key];
    if (cached_.size() >= capacity_) {
      auto least = by_count_.begin();
      if (c <= least->first) return;
      cached_.erase(least->second);
      by_count_.erase(least);
    }
    cached_.insert(key);
    by_count_.insert({c, key});
  }

 private:
  std::size_t capacity_;
  std::unordered_map<std::uint64_t, std::uint64_t> counts_;
  std::unordered_set<std::uint64_t> cached_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> by_count_;
};

class S3Fifo final : public MemoryPolicy {
 public:
  explicit S3Fifo(std::size_t capacity)
      : small_cap_(std::max<std::size_t>(1, capacity / 10)), main_cap_(capacity - small_cap_) {}
  bool lookup(std::uint64_t key) override {
    auto it = freq_.find(key);
    if (it == freq_.end()) return false;
    if (it->second < 3) ++it->second;
    return true;
  }
  void insert(std::uint64_t key) override {
    while (small_.size() + main_.size() >= small_cap_ + main_cap_) evict();
    freq_[key] = 0;
    if (ghost_set_.erase(key)) main_.push_back(key);
    else small_.push_back(key);
  }

 private:
  void evict() {
    if (small_.size() >= small_cap_ || main_.empty()) {
      while (!small_.empty()) {
        std::uint64_t k = small_.front();
        small_.pop_front();
        if (freq_[k] > 1) {  // hit again while in the small queue: promote
          freq_[k] = 0;
          main_.push_back(k);
          if (main_.size() > main_cap_) evict_main();
        } else {
          freq_.erase(k);
          ghost_.push_back(k);
          ghost_set_.insert(k);
          if (ghost_.size() > main_cap_) {
            ghost_set_.erase(ghost_.front());
            ghost_.pop_front();
          }
          return;
        }
      }
    }
    evict_main();
  }
  void evict_main() {
    while (!main_.empty()) {
      std::uint64_t k = main_.front();
      main_.pop_front();
      auto& f = freq_[k];
      if (f > 0) {
        --f;
        main_.push_back(k);
      } else {
        freq_.erase(k);
        return;
      }
    }
  }
  std::size_t small_cap_, main_cap_;
  std::deque<std::uint64_t> small_, main_, ghost_;
  std::unordered_set<std::uint64_t> ghost_set_;
  std::unordered_map<std::uint64_t, std::uint8_t> freq_;
};

// FIFO byte budget: what RocksDB's FIFO compaction does (at file granularity there).
class DiskFifo {
 public:
  explicit DiskFifo(std::uint64_t budget) : budget_(budget) {}
  bool contains(std::uint64_t key) const { return live_.count(key) != 0; }
  void write(std::uint64_t key, std::uint64_t bytes) {
    written_ += bytes;
    ++live_[key];
    queue_.push_back({key, bytes});
    used_ += bytes;
    while (used_ > budget_) {
      auto [k, b] = queue_.front();
      queue_.pop_front();
      used_ -= b;
      if (--live_[k] == 0) live_.erase(k);
    }
  }
  std::uint64_t written() const { return written_; }
  std::uint64_t used() const { return used_; }

 private:
  std::uint64_t budget_, used_ = 0, written_ = 0;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> queue_;
  std::unordered_map<std::uint64_t, int> live_;
};

struct Result {
  std::uint64_t requests = 0, memory_hits = 0, disk_hits = 0, disk_written = 0;
};

// Counts hits only after the first `warmup` requests, as bench/hitratio.sh measures.
Result run(const std::vector<std::uint64_t>& stream, std::size_t warmup, MemoryPolicy& memory, DiskFifo* disk,
           DiskAdmission* admission, std::uint64_t object_bytes) {
  Result r;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    const std::uint64_t key = stream[i];
    const bool measured = i >= warmup;
    r.requests += measured;
    if (memory.lookup(key)) { r.memory_hits += measured; continue; }
    if (disk && disk->contains(key)) {
      r.disk_hits += measured;
      memory.insert(key);
      continue;
    }
    memory.insert(key);  // an origin fetch
    if (disk && (!admission || admission->admit(mix(key), object_bytes))) {
      disk->write(key, object_bytes);
      if (admission) admission->note_disk_bytes(disk->used());
    }
  }
  if (disk) r.disk_written = disk->written();
  return r;
}

std::vector<std::uint64_t> zipf_stream(std::size_t objects, std::size_t n, double s, bool scan, std::uint64_t seed) {
  std::vector<double> cdf(objects);
  double sum = 0;
  for (std::size_t i = 0; i < objects; ++i) cdf[i] = (sum += 1.0 / std::pow(double(i + 1), s));
  for (auto& c : cdf) c /= sum;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::uint64_t> out;
  out.reserve(n);
  std::uint64_t next_scan = 1'000'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    if (scan && i % 4 == 3) { out.push_back(next_scan++); continue; }
    out.push_back(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  auto arg = [&](int i, std::uint64_t d) { return argc > i ? std::strtoull(argv[i], nullptr, 10) : d; };
  const std::uint64_t objects = arg(1, 20000), object_kib = arg(2, 64), memory_mib = arg(3, 128),
                      disk_mib = arg(4, 256), requests = arg(5, 60000), warmup = arg(6, 40000);
  // The memory tier charges the entry header, key, head and index node too (about 400 bytes here).
  const std::uint64_t object_bytes = object_kib * 1024, charged = object_bytes + 400;
  const std::size_t capacity = memory_mib * 1024 * 1024 / charged;
  std::printf("objects %llu x %llu KiB, memory %llu MiB (%zu objects), disk %llu MiB, %llu requests measured after %llu\n",
              (unsigned long long)objects, (unsigned long long)object_kib, (unsigned long long)memory_mib, capacity,
              (unsigned long long)disk_mib, (unsigned long long)requests, (unsigned long long)warmup);
  std::printf("%-10s %-18s %-10s %8s %8s %8s %12s %14s\n", "stream", "memory", "disk", "hit %", "mem %", "disk %",
              "disk MiB wr", "wr KiB/dhit");
  struct Policy {
    std::string name;
    std::function<std::unique_ptr<MemoryPolicy>()> make;
  };
  std::vector<Policy> policies = {
      {"lru", [&] { return std::make_unique<Lru>(capacity); }},
      {"sieve", [&] { return std::make_unique<Sieve>(capacity); }},
      {"s3fifo", [&] { return std::make_unique<S3Fifo>(capacity); }},
      {"exact-lfu", [&] { return std::make_unique<ExactLfu>(capacity); }},
      {"tier", [&] { return std::make_unique<Tier>(memory_mib << 20, object_bytes, false); }},
      {"tier+admission", [&] { return std::make_unique<Tier>(memory_mib << 20, object_bytes, true); }},
  };
  // SIEVE + TinyLFU: {window % of capacity, sketch counters per cached object, victims sampled}.
  for (auto [w, c, k] : std::vector<std::tuple<int, int, int>>{{0, 4, 1}, {0, 16, 1}, {0, 64, 1}, {0, 16, 4},
                                                              {0, 64, 4}, {0, 64, 8}, {1, 64, 4}}) {
    policies.push_back({"tlfu-w" + std::to_string(w) + "-c" + std::to_string(c) + "-k" + std::to_string(k), [=] {
                          return std::make_unique<SieveTinyLfu>(capacity, capacity * w / 100, capacity * c, k);
                        }});
  }
  const char* disk_names[] = {"none", "admit-all", "2nd-fetch"};
  for (bool scan : {false, true}) {
    auto stream = zipf_stream(objects, warmup + requests, 0.9, scan, 42);
    for (const Policy& policy : policies) {
      for (int disk_mode = 0; disk_mode < 3; ++disk_mode) {  // none, admit all, admission
        if (disk_mode == 1 && policy.name != "sieve") continue;
        std::unique_ptr<MemoryPolicy> mem = policy.make();
        std::unique_ptr<DiskFifo> disk;
        std::unique_ptr<DiskAdmission> adm;
        if (disk_mode > 0) disk = std::make_unique<DiskFifo>(disk_mib << 20);
        if (disk_mode == 2) {
          DiskAdmissionOptions o;
          o.disk_budget = disk_mib << 20;
          o.counters = std::max<std::uint64_t>(1 << 16, (disk_mib << 20) / 4096);
          adm = std::make_unique<DiskAdmission>(o, 0);
        }
        Result r = run(stream, warmup, *mem, disk.get(), adm.get(), object_bytes);
        double n = double(r.requests);
        std::printf("%-10s %-18s %-10s %8.2f %8.2f %8.2f %12.1f %14.1f\n", scan ? "zipf+scan" : "zipf",
                    policy.name.c_str(), disk_names[disk_mode], 100.0 * double(r.memory_hits + r.disk_hits) / n,
                    100.0 * double(r.memory_hits) / n, 100.0 * double(r.disk_hits) / n,
                    double(r.disk_written) / (1 << 20),
                    r.disk_hits ? double(r.disk_written) / 1024.0 / double(r.disk_hits) : 0.0);
      }
    }
  }
}
