#include "conf/config.h"

namespace lacquer::conf {

std::string Endpoint::to_string() const {
  std::string out;
  out.reserve(host.size() + 8);
  if (host.find(':') != std::string::npos) {
    out += '[';
    out += host;
    out += ']';
  } else {
    out += host;
  }
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace lacquer::conf
