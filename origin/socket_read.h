// Reading what a socket bufferevent's socket holds in one call.
//
// libevent 2.1 reads at most 4 KiB per readiness event (EVBUFFER_MAX_READ; 2.2 makes it a
// setting), so a 64 KiB origin body took sixteen turns of the loop, each with an epoll_wait, a
// FIONREAD, a read, and a write of that 4 KiB to the client. Called from a read callback, this
// takes the rest of what is already queued on the socket, up to `cap`, in one readv.
#pragma once

#include <cstddef>

struct bufferevent;

namespace lacquer::origin {

// Appends up to `cap` bytes already queued on the bufferevent's socket to its input buffer and
// returns how many. Reads only what the kernel reports as queued, so an end of stream or a
// socket error stays for the bufferevent to report as it always does. For socket bufferevents
// only (not OpenSSL ones, whose socket holds records, not bytes).
std::size_t read_queued(bufferevent* bev, std::size_t cap);

}  // namespace lacquer::origin
