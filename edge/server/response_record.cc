#include "edge/server/response_record.h"

#include "edge/proxy/client_side.h"
#include "edge/server/access_log.h"
#include "edge/server/worker.h"
#include "http/message.h"

namespace lacquer::edge {

void ResponseRecord::note_head(std::string_view fields, std::string_view extra, bool for_log) {
  status = 0;
  if (fields.size() >= 12 && fields.substr(0, 5) == "HTTP/")
    for (std::size_t i = 9; i < 12 && fields[i] >= '0' && fields[i] <= '9'; ++i) status = status * 10 + (fields[i] - '0');
  cache_status.clear();
  if (!for_log) return;
  constexpr std::string_view kName = "Cache-Status:";
  for (std::string_view in : {extra, fields}) {
    std::size_t at = in.find(kName);
    while (at != std::string_view::npos && at != 0 && in[at - 1] != '\n') at = in.find(kName, at + 1);
    if (at == std::string_view::npos) continue;
    std::string_view v = in.substr(at + kName.size());
    v = v.substr(0, v.find('\r'));
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    cache_status.assign(v);
    return;
  }
}

void ResponseRecord::done(Worker& worker, std::string_view peer, const Request* request, std::string_view version,
                          std::string_view protocol, bool aborted) {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  const auto start = began == steady_clock::time_point{} ? now : began;
  const auto duration_us = static_cast<std::uint64_t>(duration_cast<microseconds>(now - start).count());
  if (status >= 100 && status < 600) worker.metrics().responses_by_class[status / 100 - 1].inc();
  worker.request_seconds().observe(duration_us);
  if (origin_head != steady_clock::time_point{})
    worker.origin_first_byte_seconds().observe(
        static_cast<std::uint64_t>(duration_cast<microseconds>(origin_head - start).count()));
  AccessLog* log = worker.shared().access_log;
  if (log && log->enabled()) {
    http::AccessRecord r;
    r.client = peer;
    if (request) {
      r.method = request->line.method;
      r.target = request->line.target;
      r.version = version;
      for (const auto& h : request->headers) {
        if (http::iequals(h.name, "referer")) r.referer = h.value;
        else if (http::iequals(h.name, "user-agent")) r.user_agent = h.value;
      }
    }
    r.protocol = protocol;
    r.cache_status = cache_status;
    r.status = status;
    r.body_bytes = body_bytes;
    r.duration_us = duration_us;
    r.unix_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() -
                static_cast<std::int64_t>(r.duration_us / 1000);
    if (origin_head != steady_clock::time_point{})
      r.origin_first_byte_us = duration_cast<microseconds>(origin_head - start).count();
    r.aborted = aborted;
    log->submit(static_cast<std::size_t>(worker.index()), r);
  }
  worker.metrics().response_body_bytes.inc(body_bytes);
  if (site) site->body_bytes.inc(body_bytes);
  site = nullptr;
  status = 0;
  body_bytes = 0;
  cache_status.clear();
  origin_head = {};
}

}  // namespace lacquer::edge
