// Trace-driven comparison of eviction and disk-admission policies on the hit-ratio benchmark's
// streams (bench/hitratio.sh), without servers: what each policy would hit, and what the disk
// tier would write, for the same request sequence.
//
//   g++ -O2 -std=c++20 -I. bench/cache_sim.cc storage/sieve.cc storage/disk_admission.cc -o /tmp/cache_sim
//   /tmp/cache_sim [objects 20000] [object KiB 64] [memory MiB 128] [disk MiB 256] [requests 400000]
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
#include <list>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/disk_admission.h"
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

Result run(const std::vector<std::uint64_t>& stream, MemoryPolicy& memory, DiskFifo* disk,
           DiskAdmission* admission, std::uint64_t object_bytes) {
  Result r;
  for (std::uint64_t key : stream) {
    ++r.requests;
    if (memory.lookup(key)) { ++r.memory_hits; continue; }
    if (disk && disk->contains(key)) {
      ++r.disk_hits;
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
                      disk_mib = arg(4, 256), requests = arg(5, 400000);
  // The memory tier charges the entry header, key, head and index node too (about 400 bytes here).
  const std::uint64_t object_bytes = object_kib * 1024, charged = object_bytes + 400;
  const std::size_t capacity = memory_mib * 1024 * 1024 / charged;
  std::printf("objects %llu x %llu KiB, memory %llu MiB (%zu objects), disk %llu MiB, %llu requests\n",
              (unsigned long long)objects, (unsigned long long)object_kib, (unsigned long long)memory_mib, capacity,
              (unsigned long long)disk_mib, (unsigned long long)requests);
  std::printf("%-12s %-8s %-10s %8s %8s %8s %12s %14s\n", "stream", "memory", "disk", "hit %", "mem %", "disk %",
              "disk MiB wr", "wr KiB/dhit");
  for (bool scan : {false, true}) {
    auto stream = zipf_stream(objects, requests, 0.9, scan, 42);
    for (int policy = 0; policy < 2; ++policy) {
      for (int disk_mode = 0; disk_mode < 3; ++disk_mode) {  // none, admit all, admission
        std::unique_ptr<MemoryPolicy> mem;
        if (policy == 0) mem = std::make_unique<Sieve>(capacity);
        else mem = std::make_unique<S3Fifo>(capacity);
        std::unique_ptr<DiskFifo> disk;
        std::unique_ptr<DiskAdmission> adm;
        if (disk_mode > 0) disk = std::make_unique<DiskFifo>(disk_mib << 20);
        if (disk_mode == 2) {
          DiskAdmissionOptions o;
          o.disk_budget = disk_mib << 20;
          o.counters = std::max<std::uint64_t>(1 << 16, (disk_mib << 20) / 4096);
          adm = std::make_unique<DiskAdmission>(o, 0);
        }
        Result r = run(stream, *mem, disk.get(), adm.get(), object_bytes);
        double n = double(r.requests);
        std::printf("%-12s %-8s %-10s %8.2f %8.2f %8.2f %12.1f %14.1f\n", scan ? "zipf+scan" : "zipf",
                    policy == 0 ? "sieve" : "s3fifo", disk_mode == 0 ? "none" : disk_mode == 1 ? "admit-all" : "2nd-fetch",
                    100.0 * double(r.memory_hits + r.disk_hits) / n, 100.0 * double(r.memory_hits) / n,
                    100.0 * double(r.disk_hits) / n, double(r.disk_written) / (1 << 20),
                    r.disk_hits ? double(r.disk_written) / 1024.0 / double(r.disk_hits) : 0.0);
      }
    }
  }
}
