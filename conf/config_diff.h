// Which keys differ between two configurations (for SIGHUP: what a reload would change), which
// of them the running process can take without a restart, and the configuration a reload puts in
// effect: the running one with the live keys of the loaded one.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"

namespace lacquer::conf {

// Dotted TOML names ("cache.max_ttl", "log.access") of the keys whose values differ, in
// schema order.
std::vector<std::string> changed_keys(const Config& before, const Config& after);

// True for the keys a reload applies to the running process: [purge], [log], the cache policy
// ([cache] but the state dir, budgets and disk-tier keys), [limits] but the three parser limits,
// server.default_host, and the routing: [origin], [[site]], [[pool]] and
// server.unknown_host_status. The others (listeners, threads, state dir, budgets, [cluster],
// ...) need a restart; a restart without downtime is `--takeover`.
bool applies_live(const std::string& key);

// `running` with every key for which applies_live() is true taken from `loaded`.
Config take_live_keys(const Config& running, const Config& loaded);

}  // namespace lacquer::conf
