// The process's signals, handled on the main thread's loop; each logs one line and runs its
// action:
//   TERM, INT  graceful stop: stop accepting, finish in-flight responses (up to 30 s)
//   QUIT       immediate stop: close every connection now
//   HUP        reload the configuration file
//   USR1       reopen the log files (after logrotate renamed them)
//   USR2       upgrade: start `<the same command line> --takeover` (edge/server/takeover.h)
#pragma once

#include <functional>
#include <vector>

struct event_base;
struct event;

namespace lacquer::edge {

struct SignalActions {
  std::function<void()> graceful_stop;
  std::function<void()> immediate_stop;
  std::function<void()> reload;
  std::function<void()> reopen_logs;
  std::function<void()> upgrade;
};

class SignalHandlers {
 public:
  SignalHandlers(event_base* base, SignalActions actions);
  ~SignalHandlers();
  SignalHandlers(const SignalHandlers&) = delete;
  SignalHandlers& operator=(const SignalHandlers&) = delete;

 private:
  static void on_signal(int sig, short what, void* self);
  SignalActions actions_;
  std::vector<event*> events_;
};

}  // namespace lacquer::edge
