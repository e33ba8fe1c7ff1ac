// The access log: workers format their lines into their own bounded buffer (a short lock, no
// I/O); one writer thread swaps the buffers out and writes them to the file or stdout. A full
// buffer drops the line and counts it: a slow disk never stalls an event loop.
//
// reopen() (SIGUSR1) makes the writer close and reopen the path, the way logrotate expects;
// configure() (SIGHUP) switches path and format.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "conf/config.h"
#include "http/access_log_line.h"

namespace lacquer::edge {

class AccessLog {
 public:
  // One buffer per producer (worker index 0..producers-1), each holding at most `buffer_bytes`.
  AccessLog(const conf::LogConfig& config, std::size_t producers, std::size_t buffer_bytes = 1 << 20);
  ~AccessLog();  // writes what is buffered, then stops the writer
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  // From producer `index`'s thread only.
  void submit(std::size_t index, const http::AccessRecord& record);
  // Thread-safe; the writer does the work.
  void reopen();
  void configure(const conf::LogConfig& config);

  std::uint64_t lines_written() const { return written_.load(std::memory_order_relaxed); }
  std::uint64_t lines_dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Buffer {
    std::mutex mu;
    std::string text;
    std::uint64_t lines = 0;
    std::string scratch;  // the producer's line, formatted outside the lock
  };
  void run();
  void open_locked();  // writer thread, mu_ held
  void write_all(const std::string& text);

  std::vector<std::unique_ptr<Buffer>> buffers_;
  const std::size_t buffer_bytes_;
  std::atomic<bool> enabled_{false};
  std::atomic<http::AccessLogStyle> style_{http::AccessLogStyle::Combined};
  std::atomic<std::uint64_t> written_{0}, dropped_{0}, write_errors_{0};

  std::mutex mu_;  // guards the fields below
  std::condition_variable wake_;
  std::string path_;
  bool reopen_ = false;
  bool stop_ = false;
  int fd_ = -1;
  std::thread writer_;
};

}  // namespace lacquer::edge
