#include "edge/admin/operations_metrics.h"

#include <string_view>

#include "edge/server/access_log.h"
#include "edge/server/worker.h"

namespace lacquer::edge {
namespace {

void put(std::string& out, std::string_view name, std::string_view type, std::string_view help, std::uint64_t v) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(v)).append("\n");
}

}  // namespace

void render_operations_metrics(std::string& out, const SharedState& s) {
  const AccessLog* log = s.access_log;
  put(out, "lacquer_access_log_lines_total", "counter", "Access log lines written.", log ? log->lines_written() : 0);
  put(out, "lacquer_access_log_dropped_total", "counter",
      "Access log lines dropped because the writer fell behind (buffer full).", log ? log->lines_dropped() : 0);
  put(out, "lacquer_access_log_write_errors_total", "counter", "Access log open or write failures.",
      log ? log->write_errors() : 0);
  put(out, "lacquer_config_reloads_total", "counter", "Configuration reloads (SIGHUP) that succeeded.",
      s.reloads.load(std::memory_order_relaxed));
  put(out, "lacquer_config_reload_failures_total", "counter",
      "Configuration reloads refused (the file did not load; nothing changed).",
      s.reload_failures.load(std::memory_order_relaxed));
}

}  // namespace lacquer::edge
