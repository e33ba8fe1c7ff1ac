// Zero-downtime upgrade and restart: `lacquer --takeover` (or SIGUSR2 on the running process,
// which starts that command itself) takes the listening sockets and then the state directory
// over from the running process.
//
//   new process                                   running ("old") process
//   connect to the takeover socket  ───hello───▶  (listens on <state_dir>/takeover.sock)
//   keep the sockets  ◀──every listening socket (SCM_RIGHTS)──
//   ───ack───▶                                    stop accepting; finish in-flight responses
//                                                 (Connection: close / GOAWAY); close RocksDB
//   open the state dir  ◀──────released─────────  exit 0
//   start accepting (what arrived meanwhile waited in the kernel's listen backlog)
//
// The sockets are the same kernel objects in both processes, so nothing queued in them is lost
// when the old process closes its copies. The old process keeps serving until the ack: a new
// process that fails before it (bad config, crash) changes nothing.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "conf/config.h"

struct event_base;
struct event;

namespace lacquer::edge::takeover {

// [server] takeover_socket, or <state_dir>/takeover.sock.
std::string socket_path(const conf::Config& config);

// "127.0.0.1:8080" / "[::1]:8080": the address a listening socket is bound to.
std::string local_address(int fd);

// ---- the new process ----

struct Inherited {
  std::vector<int> main_fds;   // the old process's main listeners, one per old worker (none when it had no main port)
  std::vector<int> admin_fds;  // its admin listener
  // Its [[listen]] tables, in its order: one group of sockets (all bound to one address) each.
  std::vector<std::vector<int>> table_fds;
  int channel = -1;            // the connection to the old process (ack, then "released")
  pid_t from_pid = 0;
};

// Connects to the running process and receives its listening sockets. Throws
// std::runtime_error naming the socket path and what went wrong.
Inherited receive_listeners(const std::string& path);
// Tells the old process the sockets arrived: it stops accepting and drains.
void acknowledge(const Inherited& inherited);
// Waits until the old process has closed the state directory (it says so, or exits). False
// after `timeout_ms` without either.
bool wait_released(const Inherited& inherited, int timeout_ms);

// Which inherited [[listen]] group each of the new configuration's tables takes: for
// wanted[i] (a configured address, "127.0.0.1:443"; port 0 = any port), the index into
// `bound` (the inherited groups' addresses as bound) or -1 (bind it anew). An address takes the
// group bound to it; a table with port 0 takes the group at its own index when the host is the
// same (a restart of the same file). Each group is taken at most once. Pure.
std::vector<int> match_listen_tables(const std::vector<std::string>& wanted, const std::vector<std::string>& bound);

// Starts `argv` plus --takeover as a detached process (double fork: the running process never
// has a child to reap). The new process inherits stderr and the environment (NOTIFY_SOCKET).
// Returns false, with errno's text in `error`, if the fork failed.
bool spawn_successor(const std::vector<std::string>& argv, std::string& error);

// ---- the running process ----

// Offers the listeners to one new process over a Unix socket, on the main thread's loop. The
// short exchange (hello, the sockets, the ack) blocks the main thread for at most a few seconds;
// workers are never blocked.
class Offer {
 public:
  // `on_handed_over(pid)` runs once the new process acknowledged: stop accepting and drain.
  // Throws std::runtime_error if the socket cannot be made.
  // `table_fds`: each [[listen]] table's sockets, in config order (sent after the others; a
  // receiver groups them by bound address).
  Offer(event_base* base, std::string path, std::vector<int> main_fds, std::vector<int> admin_fds,
        std::vector<std::vector<int>> table_fds, std::function<void(pid_t)> on_handed_over);
  ~Offer();
  Offer(const Offer&) = delete;
  Offer& operator=(const Offer&) = delete;

  bool handed_over() const { return channel_ >= 0; }
  // No more offers (a stop signal arrived): the socket is closed and unlinked.
  void withdraw();
  // The state directory is closed: tell the new process it may open it.
  void released();

 private:
  static void on_connect(int fd, short what, void* self);
  void serve(int conn);

  std::string path_;
  std::vector<int> main_fds_, admin_fds_, table_fds_;
  std::function<void(pid_t)> on_handed_over_;
  int listen_fd_ = -1;
  event* event_ = nullptr;
  int channel_ = -1;
};

}  // namespace lacquer::edge::takeover
