#include "http/target_authority.h"

namespace lacquer::http {

std::string_view target_authority(std::optional<std::string_view> host_field,
                                  std::string_view default_name,
                                  std::string_view local_address) noexcept {
  if (host_field && !host_field->empty()) return *host_field;
  if (!default_name.empty()) return default_name;
  return local_address;
}

}  // namespace lacquer::http
