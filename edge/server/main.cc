// lacquer: a caching reverse proxy. Parses the command line, loads and validates the config,
// and runs the server. Exit codes: 0 ok, 1 runtime failure (cannot listen), 2 bad usage/config.
#include <netdb.h>

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "conf/command_line.h"
#include "conf/loader.h"
#include "edge/admin/warm_command.h"
#include "edge/server/server.h"
#include "edge/version.h"

int main(int argc, char** argv) {
  using namespace lacquer;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "warm") return edge::run_warm_command({args.begin() + 1, args.end()});
  auto parsed = conf::parse_command_line(args);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "lacquer: %s\n\n%s", error->c_str(), conf::usage_text().c_str());
    return 2;
  }
  const auto& cmd = std::get<conf::CommandLine>(parsed);
  if (cmd.help) {
    std::fputs(conf::usage_text().c_str(), stdout);
    return 0;
  }
  if (cmd.version) {
    std::printf("lacquer %s (%s)\n", LACQUER_VERSION, LACQUER_COMMIT);
    return 0;
  }
  auto outcome = conf::load_config(cmd);
  if (!outcome.ok()) {
    for (const auto& e : outcome.errors)
      std::fprintf(stderr, "lacquer: config error: %s\n", e.to_string().c_str());
    std::fprintf(stderr, "lacquer: refusing to start with an invalid configuration\n");
    return 2;
  }
  if (cmd.check_config) {
    // A name that does not resolve would fail every miss at run time: say so now.
    const auto& origin = outcome.config.origin.address;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = getaddrinfo(origin.host.c_str(), nullptr, &hints, &res); rc != 0) {
      std::fprintf(stderr, "lacquer: config error: origin.address: cannot resolve \"%s\": %s\n", origin.host.c_str(),
                   gai_strerror(rc));
      return 2;
    }
    freeaddrinfo(res);
    std::fprintf(stderr, "lacquer: configuration OK (%s)\n",
                 cmd.config_path ? cmd.config_path->c_str() : "embedded defaults");
    return 0;
  }
  edge::ServerHooks hooks;
  hooks.load_again = [cmd] { return conf::load_config(cmd); };
  return edge::run_server(outcome.config, hooks);
}
