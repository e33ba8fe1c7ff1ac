#include <catch2/catch.hpp>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "origin/socket_read.h"

using lacquer::origin::read_queued;

namespace {
// A socket bufferevent on one end of a socket pair; the test writes to the other end.
struct Pair {
  event_base* base = event_base_new();
  int fds[2] = {-1, -1};
  bufferevent* bev = nullptr;
  Pair() {
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
  }
  ~Pair() {
    bufferevent_free(bev);
    if (fds[1] >= 0) close(fds[1]);
    event_base_free(base);
  }
  void send(const std::string& bytes) const {
    REQUIRE(write(fds[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  std::string input() const {
    evbuffer* in = bufferevent_get_input(bev);
    std::string s(evbuffer_get_length(in), '\0');
    evbuffer_copyout(in, s.data(), s.size());
    return s;
  }
};
}  // namespace

TEST_CASE("read_queued takes what the socket holds, up to the cap, after what is buffered") {
  Pair p;
  p.send(std::string(5000, 'a') + std::string(3000, 'b'));
  CHECK(read_queued(p.bev, 5000) == 5000);
  CHECK(read_queued(p.bev, 1 << 20) == 3000);
  CHECK(p.input() == std::string(5000, 'a') + std::string(3000, 'b'));
  CHECK(read_queued(p.bev, 1 << 20) == 0);  // nothing queued: no read, no error
}

TEST_CASE("read_queued leaves the end of the stream for the bufferevent to see") {
  Pair p;
  p.send("last bytes");
  shutdown(p.fds[1], SHUT_WR);
  CHECK(read_queued(p.bev, 1 << 20) == 10);
  CHECK(read_queued(p.bev, 1 << 20) == 0);
  char c;
  CHECK(read(p.fds[0], &c, 1) == 0);  // the EOF is still there to be read
  // The input's end is frozen again for everyone but the bufferevent.
  CHECK(evbuffer_add(bufferevent_get_input(p.bev), "x", 1) == -1);
}
