#include "conf/cidr.h"

namespace lacquer::conf {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four decimal octets into out[0..3].
bool parse_v4(std::string_view s, std::uint8_t* out) {
  int part = 0;
  std::size_t i = 0;
  while (part < 4) {
    std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) value = value * 10 + static_cast<unsigned>(s[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
    out[part++] = static_cast<std::uint8_t>(value);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

bool parse_v6(std::string_view s, IpAddress& out) {
  std::array<std::uint16_t, 8> groups{};
  int count = 0;       // groups written
  int gap = -1;        // index in groups where "::" stands
  std::size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    if (count == 8) return false;
    // A trailing dotted quad takes two groups.
    std::size_t end = s.find(':', i);
    std::string_view piece = s.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (piece.find('.') != std::string_view::npos) {
      if (end != std::string_view::npos || count > 6) return false;
      std::uint8_t quad[4];
      if (!parse_v4(piece, quad)) return false;
      groups[count++] = static_cast<std::uint16_t>(quad[0] << 8 | quad[1]);
      groups[count++] = static_cast<std::uint16_t>(quad[2] << 8 | quad[3]);
      i = s.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return false;
    unsigned value = 0;
    for (char c : piece) {
      const int d = hex_digit(c);
      if (d < 0) return false;
      value = value << 4 | static_cast<unsigned>(d);
    }
    groups[count++] = static_cast<std::uint16_t>(value);
    if (end == std::string_view::npos) {
      i = s.size();
      break;
    }
    i = end + 1;
    if (i < s.size() && s[i] == ':') {  // "::"
      if (gap >= 0) return false;
      gap = count;
      ++i;
    } else if (i == s.size()) {
      return false;  // a single trailing ':'
    }
  }
  if (gap < 0 && count != 8) return false;
  if (gap >= 0 && count > 7) return false;  // "::" stands for at least one group
  std::array<std::uint16_t, 8> full{};
  if (gap < 0) {
    full = groups;
  } else {
    for (int g = 0; g < gap; ++g) full[static_cast<std::size_t>(g)] = groups[static_cast<std::size_t>(g)];
    const int tail = count - gap;
    for (int g = 0; g < tail; ++g) full[static_cast<std::size_t>(8 - tail + g)] = groups[static_cast<std::size_t>(gap + g)];
  }
  for (std::size_t g = 0; g < 8; ++g) {
    out[2 * g] = static_cast<std::uint8_t>(full[g] >> 8);
    out[2 * g + 1] = static_cast<std::uint8_t>(full[g] & 0xff);
  }
  return true;
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  IpAddress out{};
  if (text.size() > 45) return std::nullopt;  // the longest IPv6 text form
  if (text.find(':') == std::string_view::npos) {
    out[10] = out[11] = 0xff;
    if (!parse_v4(text, out.data() + 12)) return std::nullopt;
    return out;
  }
  if (!parse_v6(text, out)) return std::nullopt;
  return out;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view address = text.substr(0, slash);
  const std::string_view bits_text = text.substr(slash + 1);
  if (bits_text.empty() || bits_text.size() > 3 || (bits_text.size() > 1 && bits_text[0] == '0')) return std::nullopt;
  int bits = 0;
  for (char c : bits_text) {
    if (c < '0' || c > '9') return std::nullopt;
    bits = bits * 10 + (c - '0');
  }
  auto ip = parse_ip(address);
  if (!ip) return std::nullopt;
  Cidr cidr;
  cidr.v4 = address.find(':') == std::string_view::npos;
  if (bits > (cidr.v4 ? 32 : 128)) return std::nullopt;
  cidr.prefix_bits = cidr.v4 ? bits + 96 : bits;
  for (std::size_t i = 0; i < 16; ++i) {
    const int keep = cidr.prefix_bits - static_cast<int>(i) * 8;
    const std::uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
    cidr.network[i] = (*ip)[i] & mask;
  }
  return cidr;
}

bool Cidr::contains(const IpAddress& ip) const noexcept {
  int bits = prefix_bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((ip[i] & mask) != network[i]) return false;
  }
  return true;
}

std::string Cidr::to_string() const {
  std::string out;
  if (v4) {
    for (std::size_t i = 12; i < 16; ++i) {
      if (i > 12) out += '.';
      out += std::to_string(network[i]);
    }
    return out + "/" + std::to_string(prefix_bits - 96);
  }
  // Full eight groups (no "::" compression): unambiguous, and what parse_ip reads back.
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t g = 0; g < 8; ++g) {
    if (g) out += ':';
    const unsigned v = static_cast<unsigned>(network[2 * g] << 8 | network[2 * g + 1]);
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned d = (v >> shift) & 0xf;
      if (d || started || shift == 0) {
        out += kHex[d];
        started = true;
      }
    }
  }
  return out + "/" + std::to_string(prefix_bits);
}

CidrSet::CidrSet(const std::vector<std::string>& cidrs) {
  for (const auto& text : cidrs)
    if (auto c = parse_cidr(text)) blocks_.push_back(*c);
}

bool CidrSet::contains(const IpAddress& ip) const noexcept {
  for (const Cidr& c : blocks_)
    if (c.contains(ip)) return true;
  return false;
}

bool CidrSet::contains(std::string_view ip_text) const noexcept {
  if (blocks_.empty()) return false;
  auto ip = parse_ip(ip_text);
  return ip && contains(*ip);
}

}  // namespace lacquer::conf
