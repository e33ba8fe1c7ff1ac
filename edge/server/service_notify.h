// systemd's readiness protocol without libsystemd: when NOTIFY_SOCKET is set (Type=notify),
// one datagram per state change ("READY=1", "RELOADING=1", "STOPPING=1") to that Unix socket.
// Does nothing when the variable is unset; failures are ignored (readiness is advisory).
#pragma once

#include <string_view>

namespace lacquer::edge {

void notify_service_manager(std::string_view state);

}  // namespace lacquer::edge
