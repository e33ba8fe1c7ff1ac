// Purges and sites (explicit [[site]] tables): which site a bearer token is bound to, and how a
// purge is narrowed to one site (its tags are its own; its purge-all is the site's scope tag,
// purge/scopes.h). Pure: no sockets, no clock.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "conf/routing.h"
#include "edge/admin/purge_service.h"

namespace lacquer::edge {

// True when `authorization` is "Bearer <token>" (token non-empty), compared in constant time.
bool bearer_matches(std::optional<std::string_view> authorization, std::string_view token);

// True for a listening address only this machine can reach (127.0.0.0/8, ::1, "localhost").
bool is_loopback_address(std::string_view host);

// The site whose purge_tokens include the "Bearer <token>" in `authorization`, or kNoSite.
int site_of_token(const conf::Routing& routing, std::optional<std::string_view> authorization);

// Narrows `targets` to `site_name`: a tag becomes the site's tag, purge-all the site's scope tag
// (labelled "site:<name>"); URL and prefix targets name a host already and stay as they are.
void scope_to_site(std::vector<PurgeTarget>& targets, std::string_view site_name);

}  // namespace lacquer::edge
