#include "edge/server/takeover.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace lacquer::edge::takeover {
namespace {

constexpr char kMagic[8] = {'L', 'Q', 'T', 'K', 'O', 'V', 'R', '1'};  // format version 1
constexpr int kExchangeTimeoutMs = 5000;  // hello, sockets and ack: each step
constexpr char kAck = 'A';
constexpr char kReleased = 'R';
constexpr std::size_t kMaxFds = 250;  // SCM_MAX_FD is 253

struct Hello {
  char magic[8];
  std::uint32_t pid;
};

struct Listeners {
  char magic[8];
  std::uint32_t main_count;
  std::uint32_t admin_count;
  std::uint32_t pid;
};

std::string os_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// Waits for `fd` to be readable; false on timeout.
bool readable_within(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  int rc;
  do rc = poll(&p, 1, timeout_ms);
  while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// Reads exactly `len` bytes within the timeout; false on EOF, error or timeout.
bool read_exact(int fd, void* buf, std::size_t len, int timeout_ms) {
  auto* p = static_cast<char*>(buf);
  while (len > 0) {
    if (!readable_within(fd, timeout_ms)) return false;
    ssize_t n = recv(fd, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send_all(int fd, const void* buf, std::size_t len) {
  auto* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw std::runtime_error("takeover socket path " + path + " is longer than " +
                             std::to_string(sizeof addr.sun_path - 1) +
                             " bytes; set [server] takeover_socket to a shorter path");
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

void close_all(std::vector<int>& fds) {
  for (int fd : fds) close(fd);
  fds.clear();
}

}  // namespace

std::string socket_path(const conf::Config& config) {
  if (!config.server.takeover_socket.empty()) return config.server.takeover_socket;
  std::string dir = config.cache.state_dir;
  if (!dir.empty() && dir.back() != '/') dir.push_back('/');
  return dir + "takeover.sock";
}

std::string local_address(int fd) {
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "";
  if (bound.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&bound);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return std::string("[") + host + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&bound);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
}

// ---- the new process ----

Inherited receive_listeners(const std::string& path) {
  sockaddr_un addr = unix_address(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(os_error("takeover: socket"));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::string err = std::strerror(errno);
    close(fd);
    throw std::runtime_error("takeover: no running lacquer answers on " + path + " (" + err +
                             "); start without --takeover");
  }
  Inherited out;
  out.channel = fd;
  auto fail = [&](const std::string& why) {
    close_all(out.main_fds);
    close_all(out.admin_fds);
    for (auto& group : out.table_fds) close_all(group);
    close(fd);
    return std::runtime_error("takeover via " + path + ": " + why);
  };
  Hello hello{};
  std::memcpy(hello.magic, kMagic, sizeof kMagic);
  hello.pid = static_cast<std::uint32_t>(getpid());
  if (!send_all(fd, &hello, sizeof hello)) throw fail(os_error("sending the request"));
  if (!readable_within(fd, kExchangeTimeoutMs)) throw fail("the running process did not answer within 5 s");

  Listeners msg{};
  iovec iov{&msg, sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int got;
      std::memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
      fds.push_back(got);
    }
  }
  if (n != static_cast<ssize_t>(sizeof msg) || std::memcmp(msg.magic, kMagic, sizeof kMagic) != 0 ||
      (mh.msg_flags & MSG_CTRUNC) || msg.admin_count == 0 ||
      fds.size() < static_cast<std::size_t>(msg.main_count) + msg.admin_count ||
      (msg.main_count == 0 && fds.size() == msg.admin_count)) {
    out.main_fds = std::move(fds);
    throw fail("the running process sent no usable listeners (is it another version of lacquer?)");
  }
  const auto tables_from = fds.begin() + msg.main_count + msg.admin_count;
  out.main_fds.assign(fds.begin(), fds.begin() + msg.main_count);
  out.admin_fds.assign(fds.begin() + msg.main_count, tables_from);
  // The [[listen]] tables' sockets follow, table after table: a group is a run of one address.
  std::string group_address;
  for (auto it = tables_from; it != fds.end(); ++it) {
    std::string address = local_address(*it);
    if (out.table_fds.empty() || address != group_address) out.table_fds.emplace_back();
    out.table_fds.back().push_back(*it);
    group_address = std::move(address);
  }
  out.from_pid = static_cast<pid_t>(msg.pid);
  return out;
}

void acknowledge(const Inherited& inherited) { (void)send_all(inherited.channel, &kAck, 1); }

bool wait_released(const Inherited& inherited, int timeout_ms) {
  if (!readable_within(inherited.channel, timeout_ms)) return false;
  char c = 0;
  (void)recv(inherited.channel, &c, 1, 0);  // 'R', or EOF: the old process is gone, so is its lock
  return true;
}

bool spawn_successor(const std::vector<std::string>& argv, std::string& error) {
  std::vector<std::string> args = argv;
  bool has_flag = false;
  for (const auto& a : args) has_flag = has_flag || a == "--takeover";
  if (!has_flag) args.emplace_back("--takeover");
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);

  pid_t child = fork();
  if (child < 0) {
    error = std::strerror(errno);
    return false;
  }
  if (child == 0) {
    // The grandchild is adopted by init (or systemd): nobody here waits for it.
    if (fork() != 0) _exit(0);
    setsid();
    // argv[0] as started (PATH lookup if it has no slash): after a package upgrade that is the
    // new binary, where /proc/self/exe would still be the old, deleted one.
    execvp(cargs[0], cargs.data());
    std::fprintf(stderr, "lacquer: SIGUSR2: cannot start %s: %s\n", cargs[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return true;
}

// ---- the running process ----

std::vector<int> match_listen_tables(const std::vector<std::string>& wanted, const std::vector<std::string>& bound) {
  std::vector<int> out(wanted.size(), -1);
  std::vector<bool> taken(bound.size(), false);
  auto host_of = [](const std::string& address) { return address.substr(0, address.rfind(':')); };
  for (std::size_t i = 0; i < wanted.size(); ++i)
    for (std::size_t g = 0; g < bound.size(); ++g)
      if (!taken[g] && bound[g] == wanted[i]) {
        out[i] = static_cast<int>(g);
        taken[g] = true;
        break;
      }
  for (std::size_t i = 0; i < wanted.size(); ++i)
    if (out[i] < 0 && wanted[i].ends_with(":0") && i < bound.size() && !taken[i] &&
        host_of(bound[i]) == host_of(wanted[i])) {
      out[i] = static_cast<int>(i);
      taken[i] = true;
    }
  return out;
}

Offer::Offer(event_base* base, std::string path, std::vector<int> main_fds, std::vector<int> admin_fds,
             std::vector<std::vector<int>> table_fds, std::function<void(pid_t)> on_handed_over)
    : path_(std::move(path)),
      main_fds_(std::move(main_fds)),
      admin_fds_(std::move(admin_fds)),
      on_handed_over_(std::move(on_handed_over)) {
  for (const auto& group : table_fds) table_fds_.insert(table_fds_.end(), group.begin(), group.end());
  if (main_fds_.size() + admin_fds_.size() + table_fds_.size() > kMaxFds)
    throw std::runtime_error("takeover: too many listeners");
  sockaddr_un addr = unix_address(path_);
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(os_error("takeover socket"));
  // We hold the state directory's lock, so a file left at the path is a dead process's.
  unlink(path_.c_str());
  // Only our user may connect (checked again with SO_PEERCRED: the mode is set after bind).
  int rc = bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc == 0) chmod(path_.c_str(), 0600);
  if (rc != 0 || listen(listen_fd_, 4) != 0) {
    std::string err = os_error("takeover: cannot listen on " + path_);
    close(listen_fd_);
    listen_fd_ = -1;
    throw std::runtime_error(err);
  }
  event_ = event_new(base, listen_fd_, EV_READ | EV_PERSIST, &Offer::on_connect, this);
  event_add(event_, nullptr);
}

Offer::~Offer() {
  withdraw();
  if (channel_ >= 0) close(channel_);
}

void Offer::withdraw() {
  if (event_) {
    event_free(event_);
    event_ = nullptr;
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    listen_fd_ = -1;
    unlink(path_.c_str());
  }
}

void Offer::released() {
  if (channel_ < 0) return;
  (void)send_all(channel_, &kReleased, 1);
  close(channel_);
  channel_ = -1;
}

void Offer::on_connect(int, short, void* arg) {
  auto* self = static_cast<Offer*>(arg);
  int conn = accept4(self->listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return;
  self->serve(conn);
}

void Offer::serve(int conn) {
  auto refuse = [&](const char* why) {
    std::fprintf(stderr, "lacquer: takeover refused: %s; still serving\n", why);
    std::fflush(stderr);
    close(conn);
  };
  ucred peer{};
  socklen_t len = sizeof peer;
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != geteuid())
    return refuse("the connecting process runs as another user");
  Hello hello{};
  if (!read_exact(conn, &hello, sizeof hello, kExchangeTimeoutMs) ||
      std::memcmp(hello.magic, kMagic, sizeof kMagic) != 0)
    return refuse("the connecting process did not ask for a takeover (another version of lacquer?)");

  Listeners msg{};
  std::memcpy(msg.magic, kMagic, sizeof kMagic);
  msg.main_count = static_cast<std::uint32_t>(main_fds_.size());
  msg.admin_count = static_cast<std::uint32_t>(admin_fds_.size());
  msg.pid = static_cast<std::uint32_t>(getpid());
  std::vector<int> fds = main_fds_;
  fds.insert(fds.end(), admin_fds_.begin(), admin_fds_.end());
  fds.insert(fds.end(), table_fds_.begin(), table_fds_.end());
  iovec iov{&msg, sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)]{};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
  cmsghdr* c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  if (sendmsg(conn, &mh, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof msg))
    return refuse("the listening sockets could not be sent");
  char ack = 0;
  if (!read_exact(conn, &ack, 1, kExchangeTimeoutMs) || ack != kAck)
    return refuse("the new process did not confirm it holds the listening sockets");

  channel_ = conn;
  withdraw();  // one takeover per process
  std::fprintf(stderr, "lacquer: takeover: pid %u holds the listening sockets; stopped accepting, draining\n",
               hello.pid);
  std::fflush(stderr);
  on_handed_over_(static_cast<pid_t>(hello.pid));
}

}  // namespace lacquer::edge::takeover
