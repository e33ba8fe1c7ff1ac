#include "edge/server/live_settings.h"

#include "conf/config_diff.h"

namespace lacquer::edge {

LiveSettingsPtr first_live_settings(const conf::Config& config) {
  auto routing = std::make_shared<const conf::Routing>(config);
  // A plain --origin that does not resolve stops the start, as it always did.
  auto pools = std::make_shared<origin::PoolSet>(routing->pools(), routing->implicit());
  return std::make_shared<const LiveSettings>(config, std::move(routing), std::move(pools));
}

LiveSettingsPtr next_live_settings(const LiveSettings& running, const conf::Config& loaded) {
  conf::Config config = conf::take_live_keys(running.config, loaded);
  // Rebuilt on every reload: cheap, and a [cache] change reaches every site's policy.
  auto routing = std::make_shared<const conf::Routing>(config);
  std::shared_ptr<origin::PoolSet> pools = running.pools;
  if (!pools || routing->pools() != running.routing->pools() || routing->implicit() != running.routing->implicit())
    pools = std::make_shared<origin::PoolSet>(routing->pools(), routing->implicit(), running.pools.get());
  return std::make_shared<const LiveSettings>(config, std::move(routing), std::move(pools));
}

}  // namespace lacquer::edge
