#include "edge/server/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace lacquer::edge {
namespace {

http::AccessLogStyle style_of(const conf::LogConfig& c) {
  return c.access_format == conf::AccessLogFormat::Json ? http::AccessLogStyle::Json : http::AccessLogStyle::Combined;
}

constexpr auto kFlushInterval = std::chrono::milliseconds(100);

}  // namespace

AccessLog::AccessLog(const conf::LogConfig& config, std::size_t producers, std::size_t buffer_bytes)
    : buffer_bytes_(buffer_bytes) {
  for (std::size_t i = 0; i < producers; ++i) buffers_.push_back(std::make_unique<Buffer>());
  {
    std::lock_guard lock(mu_);
    path_ = config.access;
    style_.store(style_of(config));
    open_locked();
  }
  writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (fd_ > STDERR_FILENO) close(fd_);
}

void AccessLog::submit(std::size_t index, const http::AccessRecord& record) {
  if (!enabled() || index >= buffers_.size()) return;
  Buffer& b = *buffers_[index];
  b.scratch.clear();
  http::append_access_line(b.scratch, record, style_.load(std::memory_order_relaxed));
  std::lock_guard lock(b.mu);
  if (b.text.size() + b.scratch.size() > buffer_bytes_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  b.text.append(b.scratch);
  ++b.lines;
}

void AccessLog::reopen() {
  {
    std::lock_guard lock(mu_);
    reopen_ = true;
  }
  wake_.notify_one();
}

void AccessLog::configure(const conf::LogConfig& config) {
  {
    std::lock_guard lock(mu_);
    style_.store(style_of(config));
    if (config.access == path_) return;
    path_ = config.access;
    reopen_ = true;
  }
  wake_.notify_one();
}

void AccessLog::open_locked() {
  if (fd_ > STDERR_FILENO) close(fd_);
  fd_ = -1;
  if (path_.empty()) {
    enabled_.store(false);
    return;
  }
  if (path_ == "-") {
    fd_ = STDOUT_FILENO;
  } else {
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      std::fprintf(stderr, "lacquer: cannot open access log %s: %s (access log off until reopened)\n",
                   path_.c_str(), std::strerror(errno));
      write_errors_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  enabled_.store(fd_ >= 0);
}

void AccessLog::write_all(const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd_, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      write_errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    off += static_cast<std::size_t>(n);
  }
}

void AccessLog::run() {
  std::string batch;
  std::string swapped;
  for (;;) {
    bool stopping, reopening;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, kFlushInterval, [this] { return stop_ || reopen_; });
      stopping = stop_;
      reopening = reopen_;
    }
    // Collect every producer's lines: swap under its lock, copy outside (the buffers keep their
    // capacity, so producers do not allocate once warm).
    batch.clear();
    std::uint64_t lines = 0;
    for (auto& b : buffers_) {
      {
        std::lock_guard lock(b->mu);
        swapped.swap(b->text);
        lines += b->lines;
        b->lines = 0;
      }
      batch.append(swapped);
      swapped.clear();
    }
    std::lock_guard lock(mu_);
    // Lines queued before a reopen go to the old file (logrotate renamed it; they belong there).
    if (!batch.empty() && fd_ >= 0) {
      write_all(batch);
      written_.fetch_add(lines, std::memory_order_relaxed);
    }
    if (reopening) {
      reopen_ = false;
      open_locked();
    }
    if (stopping) return;
  }
}

}  // namespace lacquer::edge
