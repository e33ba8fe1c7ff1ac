// Reading a client socket for its bufferevent without asking the kernel first.
//
// libevent 2.1's socket bufferevent precedes every read with an ioctl(FIONREAD) to size it:
// one system call in three on a keep-alive hit (read, FIONREAD, write). This replaces the
// bufferevent's read handler with one that reads into a per-thread buffer and appends what
// came. Everything else stays the bufferevent's: enable and disable, watermarks, timeouts,
// callbacks, freeing from inside a callback.
#pragma once

struct bufferevent;

namespace lacquer::edge {

// For a plain socket bufferevent (not an OpenSSL one, whose socket holds records, not bytes);
// call before the first bufferevent_enable(EV_READ).
void read_without_fionread(bufferevent* bev);

}  // namespace lacquer::edge
