#include <catch2/catch.hpp>

#include "http/sitemap.h"
#include "http/warm_list.h"

using namespace lacquer::http;

TEST_CASE("sitemap: the <loc> of every <url>, entities decoded, CDATA and whitespace handled") {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- <loc>http://example.com/commented-out</loc> -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://example.com/</loc><lastmod>2024-01-01</lastmod></url>
  <url>
    <loc>
      http://example.com/a?x=1&amp;y=2
    </loc>
  </url>
  <url><loc><![CDATA[http://example.com/b?p=<q>&r]]></loc></url>
  <url><loc>http://example.com/caf&#xE9;&#47;</loc></url>
  <url><loc></loc></url>
  <url><loc>http://example.com/&bogus;</loc></url>
</urlset>)";
  Sitemap m = parse_sitemap(xml, 100);
  CHECK_FALSE(m.index);
  REQUIRE(m.urls.size() == 4);
  CHECK(m.urls[0] == "http://example.com/");
  CHECK(m.urls[1] == "http://example.com/a?x=1&y=2");
  CHECK(m.urls[2] == "http://example.com/b?p=<q>&r");
  CHECK(m.urls[3] == "http://example.com/caf\xc3\xa9/");
  CHECK(m.skipped == 2);  // the empty one and the unknown entity
}

TEST_CASE("sitemap index: the URLs are sitemaps") {
  Sitemap m = parse_sitemap(
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>http://e.com/s1.xml</loc>"
      "</sitemap><sitemap><loc>http://e.com/s2.xml</loc></sitemap></sitemapindex>",
      10);
  CHECK(m.index);
  CHECK(m.urls == std::vector<std::string>{"http://e.com/s1.xml", "http://e.com/s2.xml"});
}

TEST_CASE("sitemap: bounded, and broken documents give what came before the break") {
  std::string xml = "<urlset>";
  for (int i = 0; i < 50; ++i) xml += "<url><loc>http://e.com/" + std::to_string(i) + "</loc></url>";
  Sitemap m = parse_sitemap(xml, 10);
  CHECK(m.urls.size() == 10);
  CHECK(m.skipped == 40);
  Sitemap cut = parse_sitemap("<urlset><url><loc>http://e.com/1</loc></url><url><loc>http://e.com/2", 10);
  CHECK(cut.urls == std::vector<std::string>{"http://e.com/1"});
  CHECK(cut.skipped == 1);
  CHECK(parse_sitemap("", 10).urls.empty());
  CHECK(parse_sitemap("<<<<!--", 10).urls.empty());
  CHECK(parse_sitemap("<loc>", 10).skipped == 1);
  CHECK(parse_sitemap(std::string(kMaxSitemapLoc + 1, 'a').insert(0, "<loc>") + "</loc>", 10).skipped == 1);
}

TEST_CASE("warm list: text lines, comments and blank lines") {
  WarmList w = parse_warm_list("# deploy 42\nhttp://example.com/a\n\n  https://example.com/b  \r\nnot a url\nftp://x/y\n", 100);
  CHECK(w.format == WarmListFormat::Text);
  CHECK(w.urls == std::vector<std::string>{"http://example.com/a", "https://example.com/b"});
  CHECK(w.rejected == 2);
  CHECK(w.error.empty());
}

TEST_CASE("warm list: a JSON array of strings") {
  WarmList w = parse_warm_list(R"( ["http://example.com/a", "http:\/\/example.com\/b\u003f1", "relative/c"] )", 100);
  CHECK(w.format == WarmListFormat::Json);
  CHECK(w.urls == std::vector<std::string>{"http://example.com/a", "http://example.com/b?1"});
  CHECK(w.rejected == 1);
  CHECK(w.error.empty());
  CHECK(parse_warm_list("[]", 10).urls.empty());
  CHECK(parse_warm_list("[]", 10).error.empty());
  for (const char* bad : {"[", "[\"http://e.com/a\"", "[1, 2]", "[\"a\" \"b\"]", "[\"a\",]x", "[\"\\q\"]", "[\"a\"] tail"})
    CHECK_FALSE(parse_warm_list(bad, 10).error.empty());
}

TEST_CASE("warm list: a sitemap body, and the bound on URLs") {
  WarmList w = parse_warm_list("<?xml version=\"1.0\"?><urlset><url><loc>http://e.com/x</loc></url></urlset>", 10);
  CHECK(w.format == WarmListFormat::Sitemap);
  CHECK(w.urls == std::vector<std::string>{"http://e.com/x"});
  WarmList many = parse_warm_list("http://e.com/1\nhttp://e.com/2\nhttp://e.com/3\n", 2);
  CHECK(many.urls.size() == 2);
  CHECK(many.rejected == 1);
}

TEST_CASE("warmable URLs are absolute http(s) with a host and no spaces or controls") {
  CHECK(is_warmable_url("http://example.com"));
  CHECK(is_warmable_url("https://example.com:8443/a?b=c"));
  CHECK_FALSE(is_warmable_url("http:///path"));
  CHECK_FALSE(is_warmable_url("http://exa mple.com/"));
  CHECK_FALSE(is_warmable_url("http://example.com/\x01"));
  CHECK_FALSE(is_warmable_url("/relative"));
  CHECK_FALSE(is_warmable_url("HTTP://example.com/"));
  CHECK_FALSE(is_warmable_url("http://example.com/caf\xc3\xa9"));
}
