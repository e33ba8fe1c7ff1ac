// Benchmark origin for bench/run.sh and bench/purge.sh.
//
//   origin PORT            listen on 127.0.0.1:PORT (0 = pick one; the port is printed on stdout)
//
//   GET /bytes/N[/anything]  -> 200, N bytes of 'x', Cache-Control: public, max-age=3600
//   GET /random/N[/anything] -> the same with N pseudo-random bytes (incompressible, like most
//                               media: a disk tier that compresses gains nothing; N <= 16 MiB)
//   GET /tagged/T/I          -> 200, 1 KiB of 'x', Cache-Control: public, max-age=3600 and
//                               Surrogate-Key: k-I group-<I/1000> site-all extra-0-I .. extra-<T-4>-I
//                               (exactly T keys: the first T of the three when T < 3; 0 <= T <= 10000)
//   GET /ttl/S[/anything]    -> 200, 1 KiB of 'x', Cache-Control: public, max-age=S and an ETag
//                               (a short-lived hot object for bench/xfetch.sh; 0 <= S <= 86400);
//                               ?delay=D answers after D ms (a slow origin; D <= 10000)
//   GET /__count             -> total number of requests answered so far (text, one line)
//   anything else            -> 404
//
// Single-threaded libevent evhttp: it is only hit on cache misses, so it just has to be cheap.
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

unsigned long long g_count = 0;
struct event_base* g_base = nullptr;

// Sends a prepared reply later (a slow origin).
struct Delayed {
  struct evhttp_request* req;
  struct evbuffer* buf;
};
void send_delayed(evutil_socket_t, short, void* arg) {
  auto* d = static_cast<Delayed*>(arg);
  evhttp_send_reply(d->req, 200, "OK", d->buf);
  evbuffer_free(d->buf);
  delete d;
}
constexpr size_t kMaxBody = 64u << 20;  // 64 MiB is plenty for a benchmark
std::string g_body;                     // kMaxBody of 'x', referenced, never copied
constexpr size_t kMaxRandom = 16u << 20;
std::string g_random;                   // kMaxRandom pseudo-random bytes, referenced too

void fill_random(std::string& s, size_t n) {
  s.resize(n);
  unsigned long long x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x >> 56);
  }
}

void handle(struct evhttp_request* req, void*) {
  const char* uri = evhttp_request_get_uri(req);
  struct evkeyvalq* out = evhttp_request_get_output_headers(req);
  struct evbuffer* buf = evbuffer_new();
  if (std::strcmp(uri, "/__count") == 0) {
    evbuffer_add_printf(buf, "%llu\n", g_count);
    evhttp_add_header(out, "Content-Type", "text/plain");
    evhttp_add_header(out, "Cache-Control", "no-store");
    evhttp_send_reply(req, 200, "OK", buf);
    evbuffer_free(buf);
    return;
  }
  ++g_count;
  const char* p = uri;
  if (std::strncmp(p, "/bytes/", 7) == 0) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(p + 7, &end, 10);
    if (end != p + 7 && (*end == '\0' || *end == '/' || *end == '?') && n <= kMaxBody) {
      evbuffer_add_reference(buf, g_body.data(), n, nullptr, nullptr);
      evhttp_add_header(out, "Content-Type", "application/octet-stream");
      evhttp_add_header(out, "Cache-Control", "public, max-age=3600");
      evhttp_send_reply(req, 200, "OK", buf);
      evbuffer_free(buf);
      return;
    }
  }
  if (std::strncmp(p, "/random/", 8) == 0) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(p + 8, &end, 10);
    if (end != p + 8 && (*end == '\0' || *end == '/' || *end == '?') && n <= kMaxRandom) {
      evbuffer_add_reference(buf, g_random.data(), n, nullptr, nullptr);
      evhttp_add_header(out, "Content-Type", "application/octet-stream");
      evhttp_add_header(out, "Cache-Control", "public, max-age=3600");
      evhttp_send_reply(req, 200, "OK", buf);
      evbuffer_free(buf);
      return;
    }
  }
  if (std::strncmp(p, "/ttl/", 5) == 0) {
    char* end = nullptr;
    unsigned long long ttl = std::strtoull(p + 5, &end, 10);
    if (end != p + 5 && (*end == '\0' || *end == '/' || *end == '?') && ttl <= 86400) {
      const std::string cc = "public, max-age=" + std::to_string(ttl);
      evbuffer_add_reference(buf, g_body.data(), 1024, nullptr, nullptr);
      evhttp_add_header(out, "Content-Type", "application/octet-stream");
      evhttp_add_header(out, "Cache-Control", cc.c_str());
      evhttp_add_header(out, "ETag", "\"ttl-object\"");
      const char* q = std::strstr(p, "?delay=");
      const unsigned long long delay_ms = q ? std::strtoull(q + 7, nullptr, 10) : 0;
      if (delay_ms > 0 && delay_ms <= 10000) {
        struct timeval tv = {static_cast<time_t>(delay_ms / 1000), static_cast<suseconds_t>(delay_ms % 1000 * 1000)};
        event_base_once(g_base, -1, EV_TIMEOUT, send_delayed, new Delayed{req, buf}, &tv);
        return;
      }
      evhttp_send_reply(req, 200, "OK", buf);
      evbuffer_free(buf);
      return;
    }
  }
  if (std::strncmp(p, "/tagged/", 8) == 0) {
    char* end = nullptr;
    unsigned long long tags = std::strtoull(p + 8, &end, 10);
    if (end != p + 8 && *end == '/' && tags <= 10000) {
      const char* istart = end + 1;
      unsigned long long i = std::strtoull(istart, &end, 10);
      if (end != istart && (*end == '\0' || *end == '?')) {
        std::string keys;
        std::string base[3] = {"k-" + std::to_string(i), "group-" + std::to_string(i / 1000), "site-all"};
        for (unsigned long long j = 0; j < tags && j < 3; ++j) {
          if (!keys.empty()) keys += ' ';
          keys += base[j];
        }
        for (unsigned long long j = 0; j + 3 < tags; ++j) {
          keys += " extra-" + std::to_string(j) + "-" + std::to_string(i);
        }
        evbuffer_add_reference(buf, g_body.data(), 1024, nullptr, nullptr);
        evhttp_add_header(out, "Content-Type", "application/octet-stream");
        evhttp_add_header(out, "Cache-Control", "public, max-age=3600");
        if (!keys.empty()) evhttp_add_header(out, "Surrogate-Key", keys.c_str());
        evhttp_send_reply(req, 200, "OK", buf);
        evbuffer_free(buf);
        return;
      }
    }
  }
  evbuffer_add_printf(buf, "not found\n");
  evhttp_send_reply(req, 404, "Not Found", buf);
  evbuffer_free(buf);
}

}  // namespace

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 0;
  g_body.assign(kMaxBody, 'x');
  fill_random(g_random, kMaxRandom);
  struct event_base* base = event_base_new();
  g_base = base;
  struct evhttp* http = evhttp_new(base);
  evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_gencb(http, handle, nullptr);
  struct evhttp_bound_socket* sock = evhttp_bind_socket_with_handle(http, "127.0.0.1", port);
  if (!sock) {
    std::fprintf(stderr, "origin: cannot bind 127.0.0.1:%d\n", port);
    return 1;
  }
  // Report the actual port (useful with port 0).
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(evhttp_bound_socket_get_fd(sock), reinterpret_cast<struct sockaddr*>(&ss), &len);
  int actual = ntohs(reinterpret_cast<struct sockaddr_in*>(&ss)->sin_port);
  std::printf("%d\n", actual);
  std::fflush(stdout);
  event_base_dispatch(base);
  return 0;
}
