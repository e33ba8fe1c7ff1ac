// `lacquer warm FILE` (or `lacquer warm --sitemap URL`): submits a warm job to a running lacquer's
// admin port and shows its progress until it finishes. Exit codes: 0 all warmed, 1 some URLs
// failed or the admin port could not be reached, 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace lacquer::edge {

int run_warm_command(const std::vector<std::string>& args);

}  // namespace lacquer::edge
