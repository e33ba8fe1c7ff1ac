// Reading a client connection's bytes straight into its protocol handler.
//
// An HTTP/2 connection hands every byte it reads to nghttp2 at once, so a bufferevent's input
// buffer only costs it: per read a chain is allocated, filled, pulled up, drained and freed, and
// over TLS libevent's reader also clears OpenSSL's error queue (~800 instructions) before every
// record. A DirectReader reads the bufferevent's socket in its place, with an event of its own:
// recv, or SSL_read on an OpenSSL bufferevent, into a per-thread buffer, and the bytes go to a
// sink. The bufferevent keeps writing, its event callback (which hears of EOF and read errors
// from here too) and its socket; its own reading stays off.
//
// Threading: the bufferevent's loop thread.
#pragma once

#include <string_view>

struct bufferevent;
struct event;
struct ssl_st;

namespace lacquer::edge {

class DirectReader {
 public:
  // Called with the bytes of one readiness (never empty). It may disable reading, but must not
  // free the bufferevent or destroy this reader; both wait for a later loop round.
  using Sink = void (*)(std::string_view bytes, void* arg);

  DirectReader() = default;
  ~DirectReader() { detach(); }
  DirectReader(const DirectReader&) = delete;
  DirectReader& operator=(const DirectReader&) = delete;

  // From now on reads `bev`'s socket (a plain socket bufferevent, or an OpenSSL one whose
  // handshake is done), disabled until enable(). Bytes already in the bufferevent's input stay
  // there for the caller; records OpenSSL has read ahead are read once reading is enabled.
  void attach(bufferevent* bev, Sink sink, void* arg);
  void enable();
  void disable();
  // Before the bufferevent is freed (it closes the socket).
  void detach();

 private:
  static void on_readable(int fd, short events, void* self);
  void read_plain(int fd);
  void read_tls();
  void end(short what);  // disables reading, reports `what` to the bufferevent's event callback

  bufferevent* bev_ = nullptr;
  event* ev_ = nullptr;
  ssl_st* ssl_ = nullptr;  // the bufferevent's, if it is a TLS one
  Sink sink_ = nullptr;
  void* arg_ = nullptr;
};

}  // namespace lacquer::edge
