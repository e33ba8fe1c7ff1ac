#include "origin/pool_state.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace lacquer::origin {

namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_ip_literal(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

bool resolve(const std::string& host, std::uint16_t port, SocketAddress& out) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0 || !res) return false;
  std::memcpy(&out.storage, res->ai_addr, res->ai_addrlen);
  out.length = static_cast<socklen_t>(res->ai_addrlen);
  freeaddrinfo(res);
  return true;
}

// ---- ServerState ----

ServerState::ServerState(const conf::PoolServer& server, const conf::PoolConfig& pool)
    : config_(server), id_hash_(fnv1a(server.host + ":" + std::to_string(server.port))), health_(pool.probe, pool.passive) {}

void ServerState::reconfigure(const conf::PoolConfig& pool) {
  std::lock_guard lock(mu_);
  health_.reconfigure(pool.probe, pool.passive);
  publish_health();
}

std::string ServerState::label() const {
  return (config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host) + ":" +
         std::to_string(config_.port);
}

bool ServerState::address(SocketAddress& out) const {
  std::lock_guard lock(mu_);
  if (addr_.length == 0) return false;
  out = addr_;
  return true;
}

void ServerState::set_address(const SocketAddress& addr) {
  std::lock_guard lock(mu_);
  if (addr_.length == addr.length && std::memcmp(&addr_.storage, &addr.storage, addr.length) == 0) return;
  addr_ = addr;
  generation_.fetch_add(1, std::memory_order_acq_rel);
  has_address_.store(true, std::memory_order_release);
}

void ServerState::publish_health() {
  probe_up_.store(health_.probe_up(), std::memory_order_relaxed);
  ejected_until_ms_.store(health_.ejected_until_ms(), std::memory_order_relaxed);
  ejections.store(health_.ejections(), std::memory_order_relaxed);
}

void ServerState::probe_result(bool passed) {
  (passed ? probes_passed : probes_failed).fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  health_.probe_result(passed);
  publish_health();
}

void ServerState::request_failed(std::int64_t now_ms) {
  failures.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  succeeded_since_failure_.store(false, std::memory_order_relaxed);
  health_.request_failed(now_ms);
  publish_health();
}

void ServerState::request_succeeded() {
  if (succeeded_since_failure_.load(std::memory_order_relaxed)) return;  // nothing to clear
  std::lock_guard lock(mu_);
  succeeded_since_failure_.store(true, std::memory_order_relaxed);
  health_.request_succeeded();
  publish_health();
}

// ---- PoolSet ----

PoolSet::PoolSet(const std::vector<conf::PoolConfig>& pools, bool strict, const PoolSet* previous) {
  for (const auto& p : pools) {
    const PoolState* before = previous ? previous->find(p.name) : nullptr;
    if (before && before->config == p) {  // unchanged: the same pool, servers and all
      for (const auto& kept : previous->pools_)
        if (kept.get() == before) pools_.push_back(kept);
      continue;
    }
    auto state = std::make_shared<PoolState>();
    state->config = p;
    if (p.tls.enabled) state->tls = std::make_unique<const TlsClientContext>(p.tls);
    for (const auto& s : p.servers) {
      std::shared_ptr<ServerState> server;
      if (before)
        for (const auto& old : before->servers)
          if (old->config().host == s.host && old->config().port == s.port) server = old;
      if (server) {  // it stays: its address, health and counters go on under the new settings
        if (before->config.probe != p.probe || before->config.passive != p.passive) server->reconfigure(p);
        state->servers.push_back(std::move(server));
        continue;
      }
      server = std::make_shared<ServerState>(s, p);
      SocketAddress addr;
      if (resolve(s.host, s.port, addr)) {
        server->set_address(addr);
      } else if (strict) {
        throw std::runtime_error("cannot resolve origin " + server->label());
      } else {
        std::fprintf(stderr, "lacquer: pool %s: cannot resolve %s yet; it stays out until it resolves\n",
                     p.name.c_str(), server->label().c_str());
      }
      state->servers.push_back(std::move(server));
    }
    pools_.push_back(std::move(state));
  }
}

const PoolState* PoolSet::find(const std::string& name) const {
  for (const auto& p : pools_)
    if (p->config.name == name) return p.get();
  return nullptr;
}

PoolSet::~PoolSet() { stop(); }

void PoolSet::start() {
  if (thread_.joinable()) return;
  bool needed = false;
  for (const auto& p : pools_)
    for (const auto& s : p->servers) needed |= p->config.probe.enabled || !is_ip_literal(s->config().host);
  if (needed) thread_ = std::thread([this] { run(); });
}

void PoolSet::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// One thread for every pool: it sleeps until the next probe or lookup is due. Probes run one
// after another, each bounded by its timeout; lookups block only this thread.
void PoolSet::run() {
  struct Task {
    ServerState* server;
    const conf::PoolConfig* pool;
    bool probe;
    std::int64_t due;
  };
  std::vector<Task> tasks;
  for (auto& p : pools_) pool_tls_[&p->config] = p->tls.get();
  const std::int64_t now = monotonic_ms();
  for (auto& p : pools_)
    for (auto& s : p->servers) {
      if (p->config.probe.enabled) tasks.push_back({s.get(), &p->config, true, now});
      if (!is_ip_literal(s->config().host)) tasks.push_back({s.get(), &p->config, false, now + p->config.resolve_interval_ms});
    }
  for (;;) {
    std::int64_t next = INT64_MAX;
    for (const auto& t : tasks) next = std::min(next, t.due);
    {
      std::unique_lock lock(mu_);
      const auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, next - monotonic_ms()));
      if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
    }
    for (auto& t : tasks) {
      const std::int64_t at = monotonic_ms();
      if (t.due > at) continue;
      if (t.probe) {
        SocketAddress addr;
        const bool passed = t.server->address(addr) &&
                            run_probe(addr, t.server->config().host, t.pool->probe, pool_tls_[t.pool]);
        t.server->probe_result(passed);
        t.due = at + t.pool->probe.interval_ms;
      } else {
        SocketAddress addr;
        if (resolve(t.server->config().host, t.server->config().port, addr)) t.server->set_address(addr);
        t.due = at + t.pool->resolve_interval_ms;
      }
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
  }
}

// ---- probes ----

namespace {

bool wait_for(int fd, short events, std::int64_t deadline) {
  for (;;) {
    const std::int64_t left = deadline - monotonic_ms();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

}  // namespace

bool run_probe(const SocketAddress& addr, const std::string& host_header, const conf::ProbeConfig& probe,
               const TlsClientContext* tls) {
  const std::int64_t deadline = monotonic_ms() + probe.timeout_ms;
  const int fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0) {
    if (errno != EINPROGRESS || !wait_for(fd, POLLOUT, deadline)) return false;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return false;
  }
  SSL* ssl = nullptr;
  if (tls && !(ssl = blocking_handshake(*tls, host_header, fd, deadline))) return false;
  struct SslFree {
    SSL* ssl;
    ~SslFree() { SSL_free(ssl); }
  } ssl_free{ssl};
  // One read or write on the socket or through TLS; -1 with errno EAGAIN when it must wait.
  auto io = [&](bool write, char* data, std::size_t len) -> ssize_t {
    if (!ssl) return write ? ::send(fd, data, len, MSG_NOSIGNAL) : ::recv(fd, data, len, 0);
    const int n = write ? SSL_write(ssl, data, static_cast<int>(len)) : SSL_read(ssl, data, static_cast<int>(len));
    if (n > 0) return n;
    const int err = SSL_get_error(ssl, n);
    errno = (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) ? EAGAIN : EIO;
    return -1;
  };
  std::string request = "GET " + probe.path + " HTTP/1.1\r\nHost: " + host_header +
                              "\r\nUser-Agent: lacquer-probe\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = io(true, request.data() + sent, request.size() - sent);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLOUT | POLLIN, deadline)) return false;
    } else {
      return false;
    }
  }
  // "HTTP/1.1 200" is all we need.
  char buf[16];
  std::size_t got = 0;
  while (got < 12) {
    const ssize_t n = io(false, buf + got, sizeof buf - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLIN, deadline)) return false;
    } else {
      return false;
    }
  }
  if (std::memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') return false;
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (buf[i] < '0' || buf[i] > '9') return false;
    status = status * 10 + (buf[i] - '0');
  }
  return status == probe.expect;
}

}  // namespace lacquer::origin
