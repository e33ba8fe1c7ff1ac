// Which keys differ between two configurations (for SIGHUP: what a reload would change), and
// which of them the running process can take without a restart.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"

namespace lacquer::conf {

// Dotted TOML names ("cache.max_ttl", "log.access") of the keys whose values differ, in
// schema order.
std::vector<std::string> changed_keys(const Config& before, const Config& after);

// True for the keys a reload applies to the running process (today: the [log] table).
bool applies_live(const std::string& key);

}  // namespace lacquer::conf
