// Internal to conf/: the [[listen]] array of tables (several listeners, cleartext or TLS).
#pragma once

#include <string>
#include <toml++/toml.h>

#include "conf/config.h"
#include "conf/schema.h"

namespace lacquer::conf {

// Reads the document's "listen" node (an array of tables) into config.listeners; every problem
// is reported with its position.
void apply_listen_tables(const toml::node& node, const std::string& file, Config& config, Sink& sink);

// After the flags: with [[listen]] tables and no server.listen / --listen, the tables replace the
// default cleartext listener. Then: no two listeners on one address, none on the admin or origin
// address.
void finish_listeners(Config& config, Sink& sink);

}  // namespace lacquer::conf
