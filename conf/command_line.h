// lacquer [--config FILE] [--listen ADDR:PORT] [--origin HOST:PORT] [--threads N]
//         [--state-dir DIR] [--memory SIZE] [--disk SIZE] [--admin ADDR:PORT] [--check-config]
//         [--takeover]
//         [--help] [--version]
// Both "--flag value" and "--flag=value" are accepted.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lacquer::conf {

struct CommandLine {
  std::optional<std::string> config_path;
  std::optional<std::string> listen;
  std::optional<std::string> origin;
  std::optional<std::string> threads;
  std::optional<std::string> state_dir;
  std::optional<std::string> memory;
  std::optional<std::string> disk;
  std::optional<std::string> admin;
  bool check_config = false;
  bool takeover = false;  // take the listeners and the state over from the running process
  bool help = false;
  bool version = false;
};

// Either the parsed flags or a one-line error ("unknown flag --foo", "--memory needs a value").
// `args` are the arguments after the program name (argv[1..argc)); a program name in args[0]
// (anything not starting with '-') is tolerated and skipped. A repeated flag: the last one wins.
// "-h" is accepted as --help. Values are not checked here; load_config() checks them.
std::variant<CommandLine, std::string> parse_command_line(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace lacquer::conf
