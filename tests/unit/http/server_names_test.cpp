// Certificate selection by SNI: exact names, one-label wildcards, the default.
#include <catch2/catch.hpp>

#include "http/server_names.h"

using lacquer::http::canonical_server_name;
using lacquer::http::ServerNameTable;

TEST_CASE("exact names win over wildcards, the default catches the rest", "[sni]") {
  ServerNameTable t;
  REQUIRE(t.add("default.test", 0));
  REQUIRE(t.add("*.example.com", 1));
  REQUIRE(t.add("www.example.com", 2));
  REQUIRE(t.add("Example.COM", 3));
  CHECK(t.select("www.example.com") == 2);
  CHECK(t.select("WWW.Example.com.") == 2);  // case and a trailing dot do not matter
  CHECK(t.select("img.example.com") == 1);
  CHECK(t.select("example.com") == 3);       // the wildcard does not cover its own parent
  CHECK(t.select("a.b.example.com") == 0);   // nor two labels
  CHECK(t.select("other.test") == 0);
  CHECK(t.select("") == 0);                  // no server_name: the default
  CHECK_FALSE(t.match("a.b.example.com"));
  CHECK(t.match("img.example.com") == 1u);
}

TEST_CASE("the certificate listed first keeps a name two certificates share", "[sni]") {
  ServerNameTable t;
  t.add("shared.test", 1);
  t.add("shared.test", 2);
  t.add("*.shared.test", 2);
  t.add("*.shared.test", 1);
  CHECK(t.select("shared.test") == 1);
  CHECK(t.select("x.shared.test") == 2);
}

TEST_CASE("names a certificate cannot usefully carry are refused", "[sni]") {
  ServerNameTable t;
  for (const char* bad : {"", ".", "*.com", "*", "a..b", "*.*.example.com", "w*.example.com", "a b.test",
                          "exa\x01mple.test", ".example.com"})
    CHECK_FALSE(t.add(bad, 1));
  CHECK(t.size() == 0);
  CHECK_FALSE(t.add(std::string(64, 'a') + ".test", 1));  // a label over 63 bytes
  CHECK_FALSE(t.add(std::string(250, 'a').insert(100, ".").insert(200, "."), 1));  // over 253 bytes
  CHECK(canonical_server_name("A.Test.", false) == "a.test");
  CHECK_FALSE(canonical_server_name("*.a.test", false));  // a client's name is never a wildcard
}
