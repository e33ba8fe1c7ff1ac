// Internal to conf/: reading [[site]] and [[pool]] (arrays of tables, which the key-by-key
// schema of schema.h does not describe) and the checks across them.
#pragma once

#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "conf/schema.h"
#include "conf/sites.h"

namespace lacquer::conf {

// Reads `node` when `table_name` is "site" or "pool" and returns true; false for other tables.
bool apply_site_tables(std::string_view table_name, const toml::node& node, const std::string& file,
                       SitesConfig& sites, Sink& sink);

// Unknown or empty pools, duplicate names and Hosts, several defaults, unreadable TLS files.
void check_sites(const SitesConfig& sites, const std::string& file, Sink& sink);

}  // namespace lacquer::conf
