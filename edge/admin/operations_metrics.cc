#include "edge/admin/operations_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <string_view>
#include <vector>

#include "edge/version.h"

#include "edge/server/access_log.h"
#include "edge/server/worker.h"

namespace lacquer::edge {
namespace {

void put(std::string& out, std::string_view name, std::string_view type, std::string_view help, std::uint64_t v) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(std::to_string(v)).append("\n");
}

void put_double(std::string& out, std::string_view name, std::string_view type, std::string_view help, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(buf).append("\n");
}

// CPU seconds (user + system) and resident bytes from /proc/self (Linux); false if unreadable.
bool read_process_stat(double& cpu_seconds, std::uint64_t& rss_bytes) {
  std::FILE* f = std::fopen("/proc/self/stat", "r");
  if (!f) return false;
  char buf[1024];
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the command name (which may hold spaces) start after the last ')'.
  std::string_view s(buf, n);
  auto close = s.rfind(')');
  if (close == std::string_view::npos) return false;
  unsigned long utime = 0, stime = 0;
  long rss_pages = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  // priority nice threads itrealvalue starttime vsize rss
  if (std::sscanf(buf + close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
                  &utime, &stime, &rss_pages) != 3)
    return false;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  cpu_seconds = static_cast<double>(utime + stime) / ticks;
  rss_bytes = static_cast<std::uint64_t>(rss_pages) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  return true;
}

std::uint64_t open_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  std::uint64_t n = 0;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n > 0 ? n - 1 : 0;  // not the descriptor opendir itself holds
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

  out.append("# HELP lacquer_responses_total Responses on the main port, by status class.\n");
  out.append("# TYPE lacquer_responses_total counter\n");
  for (int c = 0; c < 5; ++c) {
    std::uint64_t n = 0;
    for (const Worker* w : s.workers) n += w->metrics().responses_by_class[c].get();
    out.append("lacquer_responses_total{class=\"").append(std::to_string(c + 1)).append("xx\"} ");
    out.append(std::to_string(n)).append("\n");
  }
  std::vector<const LatencyHistogram*> parts;
  for (const Worker* w : s.workers) parts.push_back(&w->request_seconds());
  LatencyHistogram::render(out, "lacquer_request_duration_seconds",
                           "Main-port requests: first request byte to response complete.", parts);
  parts.clear();
  for (const Worker* w : s.workers) parts.push_back(&w->origin_first_byte_seconds());
  LatencyHistogram::render(out, "lacquer_origin_first_byte_seconds",
                           "Main-port requests that waited for the origin: first request byte to the origin's head.",
                           parts);

  out.append("# HELP lacquer_build_info The running build (always 1).\n# TYPE lacquer_build_info gauge\n");
  out.append("lacquer_build_info{version=\"").append(LACQUER_VERSION).append("\",commit=\"").append(LACQUER_COMMIT);
  out.append("\"} 1\n");
  double cpu = 0;
  std::uint64_t rss = 0;
  if (read_process_stat(cpu, rss)) {
    put_double(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", cpu);
    put(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", rss);
  }
  put(out, "process_open_fds", "gauge", "Open file descriptors.", open_fds());
  put(out, "process_start_time_seconds", "gauge", "Start time of the process since the epoch, in seconds.",
      static_cast<std::uint64_t>(s.started_at));
}

}  // namespace lacquer::edge
