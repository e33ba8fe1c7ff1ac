// Loading and validating the configuration. Errors name the file, the line, the key and what
// was expected, e.g.
//   lacquer.toml:12:10: cache.memory: expected a size like "256M" or "1G", got "lots"
// Flags are reported with the file name "command line" and line 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/command_line.h"
#include "conf/config.h"

namespace lacquer::conf {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when there is no line (flags, whole file)
  int column = 0;  // 1-based; 0 when unknown
  std::string key; // dotted path, e.g. "origin.connect_timeout"
  std::string message;  // "expected ..., got ..."
  std::string to_string() const;
};

struct LoadOutcome {
  Config config;                   // meaningful only when errors is empty
  std::vector<ConfigError> errors;
  bool ok() const { return errors.empty(); }
};

// Embedded defaults, then the TOML file named by cmd.config_path (if any), then the flags.
LoadOutcome load_config(const CommandLine& cmd);
// Parses TOML text (for tests and the fuzzer); `file_name` is used in errors.
LoadOutcome load_config_text(std::string_view toml_text, std::string_view file_name);

// Value syntax shared by the file and the flags. nullopt when invalid.
std::optional<std::uint64_t> parse_size(std::string_view text);      // "512", "64K", "256M", "1G"
std::optional<std::uint32_t> parse_duration_ms(std::string_view text);  // "250ms", "10s", "2m", "1h"
std::optional<Endpoint> parse_endpoint(std::string_view text);        // "host:port", "[v6]:port"

}  // namespace lacquer::conf
