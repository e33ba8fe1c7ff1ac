// Metrics of the process's operation: the access log and configuration reloads.
#pragma once

#include <string>

namespace lacquer::edge {

struct SharedState;

void render_operations_metrics(std::string& out, const SharedState& s);

}  // namespace lacquer::edge
