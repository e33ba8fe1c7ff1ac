#include "conf/command_line.h"

#include <string_view>

#include "conf/config.h"
#include "conf/values.h"

namespace lacquer::conf {

namespace {

struct ValueFlag {
  std::string_view name;
  std::optional<std::string> CommandLine::*field;
};

constexpr ValueFlag kValueFlags[] = {
    {"--config", &CommandLine::config_path}, {"--listen", &CommandLine::listen},
    {"--origin", &CommandLine::origin},      {"--threads", &CommandLine::threads},
    {"--state-dir", &CommandLine::state_dir}, {"--memory", &CommandLine::memory},
    {"--disk", &CommandLine::disk},          {"--admin", &CommandLine::admin},
};

struct SwitchFlag {
  std::string_view name;
  bool CommandLine::*field;
};

constexpr SwitchFlag kSwitchFlags[] = {
    {"--check-config", &CommandLine::check_config},
    {"--help", &CommandLine::help},
    {"-h", &CommandLine::help},
    {"--version", &CommandLine::version},
};

}  // namespace

std::variant<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args) {
  CommandLine cmd;
  std::size_t i = 0;
  if (!args.empty() && (args[0].empty() || args[0][0] != '-')) i = 1;  // program name
  for (; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }

    bool matched = false;
    for (const auto& flag : kValueFlags) {
      if (flag.name != name) continue;
      matched = true;
      if (inline_value) {
        cmd.*flag.field = std::string(*inline_value);
      } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
        cmd.*flag.field = args[++i];
      } else {
        return std::string(name) + " needs a value";
      }
      break;
    }
    if (matched) continue;

    for (const auto& flag : kSwitchFlags) {
      if (flag.name != name) continue;
      matched = true;
      if (inline_value) return std::string(name) + " takes no value";
      cmd.*flag.field = true;
      break;
    }
    if (matched) continue;

    if (arg.starts_with("-")) return "unknown flag " + std::string(name) + " (see --help)";
    return "unexpected argument " + detail::quote(arg) + " (see --help)";
  }
  return cmd;
}

std::string usage_text() {
  const Config defaults;
  std::string text;
  text += "Usage: lacquer [options]\n";
  text += "A caching reverse proxy. Flags override the TOML config file, which overrides the\n";
  text += "embedded defaults. Both \"--flag value\" and \"--flag=value\" are accepted.\n\n";
  text += "Options:\n";
  auto line = [&](std::string_view flag, std::string_view what, const std::string& dflt) {
    std::string row = "  ";
    row += flag;
    if (row.size() < 24) row.append(24 - row.size(), ' ');
    row += what;
    if (!dflt.empty()) row += " (default: " + dflt + ")";
    text += row + "\n";
  };
  line("--config FILE", "read settings from a TOML file", "none, embedded defaults");
  line("--listen ADDR:PORT", "address for client traffic", defaults.server.listen.to_string());
  line("--admin ADDR:PORT", "address for the admin API", defaults.server.admin.to_string());
  line("--origin HOST:PORT", "origin server that misses are fetched from",
       defaults.origin.address.to_string());
  line("--threads N", "worker threads, 0 = one per CPU core",
       std::to_string(defaults.server.threads));
  line("--state-dir DIR", "directory for the disk cache and purge state",
       defaults.cache.state_dir);
  line("--memory SIZE", "memory cache budget, K/M/G/T suffixes",
       detail::format_size(defaults.cache.memory_bytes));
  line("--disk SIZE", "disk cache budget, K/M/G/T suffixes, 0 = memory only",
       detail::format_size(defaults.cache.disk_bytes));
  line("--check-config", "validate the configuration and exit", "");
  line("-h, --help", "show this help and exit", "");
  line("--version", "print the version and exit", "");
  text += "\nCommands:\n";
  text += "  lacquer warm FILE [--admin ADDR:PORT]   warm a running lacquer's cache with the URLs in\n";
  text += "                                          FILE (lines, JSON array or sitemap) and show progress\n";
  return text;
}

}  // namespace lacquer::conf
