#include "origin/socket_read.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

namespace lacquer::origin {
namespace {

// Reads up to `want` bytes from `fd` into space reserved at the end of `in` (not frozen).
std::size_t read_into(evbuffer* in, int fd, std::size_t want) {
  evbuffer_iovec vec[2];
  const int n = evbuffer_reserve_space(in, static_cast<ev_ssize_t>(want), vec, 2);
  if (n <= 0) return 0;
  // Space reserved may be larger than asked; read no more than the kernel holds.
  iovec io[2];
  std::size_t left = want;
  int count = 0;
  for (int i = 0; i < n && left > 0; ++i, ++count) {
    io[i].iov_base = vec[i].iov_base;
    io[i].iov_len = vec[i].iov_len < left ? vec[i].iov_len : left;
    left -= io[i].iov_len;
  }
  const ssize_t got = readv(fd, io, count);
  if (got <= 0) {
    evbuffer_commit_space(in, vec, 0);
    return 0;
  }
  std::size_t rest = static_cast<std::size_t>(got);
  for (int i = 0; i < count; ++i) {
    vec[i].iov_len = io[i].iov_len < rest ? io[i].iov_len : rest;
    rest -= vec[i].iov_len;
  }
  evbuffer_commit_space(in, vec, count);
  return static_cast<std::size_t>(got);
}

}  // namespace

std::size_t read_queued(bufferevent* bev, std::size_t cap) {
  const int fd = bufferevent_getfd(bev);
  int queued = 0;
  if (fd < 0 || ioctl(fd, FIONREAD, &queued) != 0 || queued <= 0) return 0;
  const std::size_t want = static_cast<std::size_t>(queued) < cap ? static_cast<std::size_t>(queued) : cap;
  evbuffer* in = bufferevent_get_input(bev);
  // A socket bufferevent freezes the end of its input so only it adds there; we read for it.
  evbuffer_unfreeze(in, 0);
  const std::size_t got = read_into(in, fd, want);
  evbuffer_freeze(in, 0);
  return got;
}

}  // namespace lacquer::origin
