#include "edge/server/listeners.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace lacquer::edge {
namespace {

constexpr int kBacklog = 4096;

int bind_one(const sockaddr* addr, socklen_t len, const std::string& what) {
  int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket for " + what + ": " + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, addr, len) != 0 || listen(fd, kBacklog) != 0) {
    std::string err = std::strerror(errno);
    close(fd);
    throw std::runtime_error("cannot listen on " + what + ": " + err);
  }
  return fd;
}

}  // namespace

BoundListeners bind_listeners(const conf::Endpoint& endpoint, int count) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(endpoint.port);
  std::string what = endpoint.to_string();
  if (int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res)
    throw std::runtime_error("cannot resolve listen address " + what + ": " + gai_strerror(rc));
  sockaddr_storage ss{};
  std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
  socklen_t len = res->ai_addrlen;
  freeaddrinfo(res);

  BoundListeners out;
  for (int i = 0; i < count; ++i) {
    int fd = bind_one(reinterpret_cast<sockaddr*>(&ss), len, what);
    out.fds.push_back(fd);
    if (i == 0) {  // learn the real port, so the others (and the ready line) use it
      sockaddr_storage bound{};
      socklen_t blen = sizeof bound;
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
      char host[INET6_ADDRSTRLEN] = "";
      std::uint16_t p = 0;
      if (bound.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&bound);
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        p = ntohs(a->sin6_port);
        reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = a->sin6_port;
        out.address = std::string("[") + host + "]:" + std::to_string(p);
      } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&bound);
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        p = ntohs(a->sin_port);
        reinterpret_cast<sockaddr_in*>(&ss)->sin_port = a->sin_port;
        out.address = std::string(host) + ":" + std::to_string(p);
      }
    }
  }
  return out;
}

}  // namespace lacquer::edge
