// What a PURGE request's control fields ask for, decided without guessing: a value we do not
// understand, contradictory controls, or a field that looks like a purge control but is not
// one we know are refused (400 with the reason), never turned into some other purge.
// Pure: header fields in, decision out.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/message.h"

namespace lacquer::purge {

enum class PurgeForm : std::uint8_t { Url, Tags, All, Prefix };

struct PurgeControls {
  // Url: the request target; Tags: the Surrogate-Key field; Prefix: the target's path as a
  // path-segment prefix (Purge-Prefix: 1)
  PurgeForm form = PurgeForm::Url;
  bool soft = false;
  std::string error;                // non-empty: refuse with 400 and this reason
};

// The boolean values a control field accepts, in any case: 1 / true / yes / on and
// 0 / false / no / off. Anything else is nullopt.
std::optional<bool> parse_purge_flag(std::string_view value) noexcept;

// Reads Purge-All, Purge-Prefix, Soft-Purge and Surrogate-Key (names match in any case, as all
// field names do). Refused: a flag with another value, or given twice with different values;
// more than one of Purge-All true, Purge-Prefix true and Surrogate-Key (which one was meant?);
// a prefix target with a query (a prefix is a path); and any field whose name, ignoring
// case, '-' and '_', mentions "purge", "surrogate", "xkey" or "cachetag" but is none of these
// nor Purge-Wait (the cluster's "purged everywhere", read by the purge exchange)
// (Surrogate-Keys, X-Purge-All, Purge_All, Cache-Tag, ...): the error names the field.
PurgeControls read_purge_controls(std::span<const http::Header> headers);

}  // namespace lacquer::purge
