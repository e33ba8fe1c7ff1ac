// trusted_proxies CIDRs: parsing (IPv4, IPv6, mapped, compressed forms), matching, and refusals.
#include <catch2/catch.hpp>

#include "conf/cidr.h"

using namespace lacquer::conf;

TEST_CASE("cidr: IPv4 blocks contain their addresses, host bits are cleared", "[cidr]") {
  auto c = parse_cidr("10.1.2.3/8");
  REQUIRE(c);
  CHECK(c->v4);
  CHECK(c->to_string() == "10.0.0.0/8");
  CidrSet set({"10.0.0.0/8", "192.168.1.0/24"});
  CHECK(set.contains("10.255.0.1"));
  CHECK(set.contains("192.168.1.77"));
  CHECK_FALSE(set.contains("192.168.2.1"));
  CHECK_FALSE(set.contains("11.0.0.1"));
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d: the same address.
  CHECK(set.contains("::ffff:10.9.8.7"));
  CHECK(CidrSet({"0.0.0.0/0"}).contains("8.8.8.8"));
  CHECK_FALSE(CidrSet({"0.0.0.0/0"}).contains("2001:db8::1"));
  CHECK(CidrSet({"10.0.0.7/32"}).contains("10.0.0.7"));
  CHECK_FALSE(CidrSet({"10.0.0.7/32"}).contains("10.0.0.8"));
}

TEST_CASE("cidr: IPv6 blocks, compressed and dotted forms", "[cidr]") {
  CidrSet set({"fd00::/8", "2001:db8:1::/48", "::1/128"});
  CHECK(set.contains("fd12:3456::1"));
  CHECK(set.contains("2001:db8:1:ffff::9"));
  CHECK_FALSE(set.contains("2001:db8:2::1"));
  CHECK(set.contains("::1"));
  CHECK(set.contains("0:0:0:0:0:0:0:1"));
  CHECK_FALSE(set.contains("::2"));
  CHECK_FALSE(set.contains("127.0.0.1"));
  auto ip = parse_ip("1:2:3:4:5:6:1.2.3.4");
  REQUIRE(ip);
  CHECK((*ip)[12] == 1);
  CHECK((*ip)[15] == 4);
  auto c = parse_cidr("2001:DB8::/32");
  REQUIRE(c);
  CHECK(c->to_string() == "2001:db8:0:0:0:0:0:0/32");
  CHECK(parse_cidr(c->to_string()) == c);
  CHECK(CidrSet({"::/0"}).contains("10.0.0.1"));  // everything, mapped IPv4 included
}

TEST_CASE("cidr: malformed text is refused", "[cidr]") {
  for (const char* bad : {"", "/8", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0/8",
                          "10.0.0.0.0/8", "256.0.0.0/8", "010.0.0.0/8", "1.2.3.4 /32", "fd00::/129", "1::2::3/64",
                          ":::/0", "1:2:3:4:5:6:7:8:9/128", "1:2:3:4:5:6:7::8/128", "fe80::1%eth0/64", "[::1]/128",
                          "12345::/16", "1:/16", ":1/16", "g::/16", "::1.2.3/96", "1.2.3.4::/96"}) {
    INFO(bad);
    CHECK_FALSE(parse_cidr(bad));
  }
  for (const char* bad : {"", "localhost", "1.2.3", "::g", "1.2.3.4:80"}) {
    INFO(bad);
    CHECK_FALSE(parse_ip(bad));
  }
  CHECK_FALSE(CidrSet({"10.0.0.0/8"}).contains("not-an-ip"));
}
