#include <catch2/catch.hpp>

#include "edge/admin/purge_acl.h"

using lacquer::edge::PurgeAcl;

TEST_CASE("loopback may purge unless told otherwise") {
  PurgeAcl acl(true, {}, "");
  CHECK(acl.allows("127.0.0.1", std::nullopt));
  CHECK(acl.allows("127.9.8.7", std::nullopt));
  CHECK(acl.allows("::1", std::nullopt));
  CHECK_FALSE(acl.allows("10.0.0.1", std::nullopt));
  PurgeAcl strict(false, {}, "");
  CHECK_FALSE(strict.allows("127.0.0.1", std::nullopt));
}

TEST_CASE("configured CIDRs, IPv4 and IPv6, at their exact boundaries") {
  PurgeAcl acl(false, {"10.1.0.0/16", "192.168.1.128/25", "fd00::/8", "203.0.113.7/32"}, "");
  CHECK(acl.allows("10.1.255.255", std::nullopt));
  CHECK_FALSE(acl.allows("10.2.0.0", std::nullopt));
  CHECK(acl.allows("192.168.1.128", std::nullopt));
  CHECK_FALSE(acl.allows("192.168.1.127", std::nullopt));
  CHECK(acl.allows("fd12:3456::1", std::nullopt));
  CHECK_FALSE(acl.allows("fe80::1", std::nullopt));
  CHECK(acl.allows("203.0.113.7", std::nullopt));
  CHECK_FALSE(acl.allows("203.0.113.8", std::nullopt));
  CHECK_FALSE(acl.allows("not-an-ip", std::nullopt));
}

TEST_CASE("a bearer token lets anyone purge; a wrong or missing one does not") {
  PurgeAcl acl(false, {}, "s3cret");
  CHECK(acl.allows("198.51.100.1", std::string_view("Bearer s3cret")));
  CHECK(acl.allows("198.51.100.1", std::string_view("bearer s3cret")));
  CHECK_FALSE(acl.allows("198.51.100.1", std::string_view("Bearer s3cre")));
  CHECK_FALSE(acl.allows("198.51.100.1", std::string_view("Bearer s3cretX")));
  CHECK_FALSE(acl.allows("198.51.100.1", std::string_view("Basic s3cret")));
  CHECK_FALSE(acl.allows("198.51.100.1", std::nullopt));
  PurgeAcl no_token(false, {}, "");
  CHECK_FALSE(no_token.allows("198.51.100.1", std::string_view("Bearer ")));
}
