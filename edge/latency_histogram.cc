#include "edge/latency_histogram.h"

#include <cstdio>
#include <string>

namespace lacquer::edge {

void LatencyHistogram::render(std::string& out, std::string_view name, std::string_view help,
                              std::span<const LatencyHistogram* const> parts) {
  render_family(out, name, help);
  render_series(out, name, {}, parts);
}

void LatencyHistogram::render_family(std::string& out, std::string_view name, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" histogram\n");
}

void LatencyHistogram::render_series(std::string& out, std::string_view name, std::string_view labels,
                                     std::span<const LatencyHistogram* const> parts) {
  std::uint64_t cumulative = 0, sum_us = 0;
  char buf[64];
  const std::string braced = labels.empty() ? std::string() : "{" + std::string(labels) + "}";
  for (std::size_t i = 0; i <= kBoundsUs.size(); ++i) {
    for (const auto* p : parts) cumulative += p->buckets_[i].get();
    out.append(name).append("_bucket{");
    if (!labels.empty()) out.append(labels).append(",");
    out.append("le=\"");
    if (i < kBoundsUs.size()) {
      std::snprintf(buf, sizeof buf, "%g", static_cast<double>(kBoundsUs[i]) / 1e6);
      out.append(buf);
    } else {
      out.append("+Inf");
    }
    out.append("\"} ").append(std::to_string(cumulative)).append("\n");
  }
  for (const auto* p : parts) sum_us += p->sum_us_.get();
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(sum_us) / 1e6);
  out.append(name).append("_sum").append(braced).append(" ").append(buf).append("\n");
  out.append(name).append("_count").append(braced).append(" ").append(std::to_string(cumulative)).append("\n");
}

}  // namespace lacquer::edge
