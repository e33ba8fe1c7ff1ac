#include "edge/server/signals.h"

#include <event2/event.h>

#include <csignal>
#include <cstdio>

namespace lacquer::edge {

SignalHandlers::SignalHandlers(event_base* base, SignalActions actions) : actions_(std::move(actions)) {
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2}) {
    event* ev = evsignal_new(base, sig, &SignalHandlers::on_signal, this);
    event_add(ev, nullptr);
    events_.push_back(ev);
  }
}

SignalHandlers::~SignalHandlers() {
  for (event* ev : events_) event_free(ev);
}

void SignalHandlers::on_signal(int sig, short, void* arg) {
  auto* self = static_cast<SignalHandlers*>(arg);
  const char* name = "?";
  const char* line = "";
  const std::function<void()>* action = nullptr;
  switch (sig) {
    case SIGTERM:
    case SIGINT:
      name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
      line = "finishing in-flight responses";
      action = &self->actions_.graceful_stop;
      break;
    case SIGQUIT:
      name = "SIGQUIT";
      line = "stopping now, closing every connection";
      action = &self->actions_.immediate_stop;
      break;
    case SIGHUP:
      name = "SIGHUP";
      line = "reloading the configuration";
      action = &self->actions_.reload;
      break;
    case SIGUSR1:
      name = "SIGUSR1";
      line = "reopening the log files";
      action = &self->actions_.reopen_logs;
      break;
    case SIGUSR2:
      name = "SIGUSR2";
      line = "starting a new process to take over (upgrade)";
      action = &self->actions_.upgrade;
      break;
    default:
      return;
  }
  std::fprintf(stderr, "lacquer: %s received, %s\n", name, line);
  std::fflush(stderr);
  if (action && *action) (*action)();
}

}  // namespace lacquer::edge
