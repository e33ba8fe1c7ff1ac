#include "edge/server/live_settings.h"

#include "conf/config_diff.h"

namespace lacquer::edge {

namespace {

std::vector<int> site_slots_of(const conf::Routing* routing, MetricSlots* slots) {
  std::vector<int> out;
  if (!routing || !slots) return out;
  for (std::size_t i = 0; i < routing->site_count(); ++i)
    out.push_back(slots->slot("site/" + routing->site(static_cast<int>(i)).name));
  return out;
}

std::vector<std::vector<int>> server_slots_of(const origin::PoolSet* pools, MetricSlots* slots) {
  std::vector<std::vector<int>> out;
  if (!pools || !slots) return out;
  for (std::size_t p = 0; p < pools->size(); ++p) {
    const origin::PoolState& pool = pools->pool(p);
    auto& row = out.emplace_back();
    for (const auto& server : pool.servers) row.push_back(slots->slot("server/" + pool.config.name + "/" + server->label()));
  }
  return out;
}

}  // namespace

LiveSettings::LiveSettings(const conf::Config& c, std::shared_ptr<const conf::Routing> r,
                           std::shared_ptr<origin::PoolSet> p, std::shared_ptr<MetricSlots> slots)
    : config(c),
      purge_acl(c.purge.allow_loopback, c.purge.allow_cidrs, c.purge.token),
      routing(std::move(r)),
      pools(std::move(p)),
      slot_registry(std::move(slots)),
      site_slots(site_slots_of(routing.get(), slot_registry.get())),
      server_slots(server_slots_of(pools.get(), slot_registry.get())) {}

LiveSettingsPtr first_live_settings(const conf::Config& config) {
  auto routing = std::make_shared<const conf::Routing>(config);
  // A plain --origin that does not resolve stops the start, as it always did.
  auto pools = std::make_shared<origin::PoolSet>(routing->pools(), routing->implicit());
  return std::make_shared<const LiveSettings>(config, std::move(routing), std::move(pools), std::make_shared<MetricSlots>());
}

LiveSettingsPtr next_live_settings(const LiveSettings& running, const conf::Config& loaded) {
  conf::Config config = conf::take_live_keys(running.config, loaded);
  // Rebuilt on every reload: cheap, and a [cache] change reaches every site's policy.
  auto routing = std::make_shared<const conf::Routing>(config);
  std::shared_ptr<origin::PoolSet> pools = running.pools;
  if (!pools || routing->pools() != running.routing->pools() || routing->implicit() != running.routing->implicit())
    pools = std::make_shared<origin::PoolSet>(routing->pools(), routing->implicit(), running.pools.get());
  return std::make_shared<const LiveSettings>(config, std::move(routing), std::move(pools), running.slot_registry);
}

}  // namespace lacquer::edge
