// The live dashboard (GET / and GET /dashboard on the admin port): one self-contained HTML page,
// compiled into the binary from edge/admin/dashboard.html, that polls GET /stats.json
// (stats_json.h) and draws the last minutes with hand-written canvas charts. No external assets.
#pragma once

#include <string_view>

namespace lacquer::edge {

std::string_view dashboard_page();

}  // namespace lacquer::edge
