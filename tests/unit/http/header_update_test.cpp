// Freshening stored header fields with a 304 (RFC 9111 §3.2, §4.3.4).
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "http/header_update.h"

using namespace lacquer::http;

namespace {
using P = std::pair<std::string, std::string>;
struct Fields {
  std::vector<P> fields;
  std::vector<Header> hs;
  Fields(std::initializer_list<P> f) : fields(f) {
    for (auto& [n, v] : fields) hs.push_back({n, v});
  }
  Fields(const Fields&) = delete;  // hs points into fields
};

std::vector<P> merge(const Fields& stored, const Fields& update) {
  std::vector<P> out;
  for (const Header& h : merge_updated_fields(stored.hs, update.hs))
    out.emplace_back(std::string(h.name), std::string(h.value));
  return out;
}
}  // namespace

TEST_CASE("header update: replace in place, append new names", "[header_update]") {
  Fields stored{{"Date", "old"}, {"Cache-Control", "max-age=60"}, {"ETag", "\"1\""},
                {"Content-Length", "5"}};
  Fields update{{"etag", "\"2\""}, {"Date", "new"}, {"Expires", "later"}};
  CHECK(merge(stored, update) == std::vector<P>{{"Date", "new"},
                                                {"Cache-Control", "max-age=60"},
                                                {"etag", "\"2\""},
                                                {"Content-Length", "5"},
                                                {"Expires", "later"}});
}

TEST_CASE("header update: all stored lines of a name go, at the first one's place",
          "[header_update]") {
  Fields stored{{"Link", "a"}, {"X", "1"}, {"link", "b"}, {"Y", "2"}, {"LINK", "c"}};
  Fields update{{"Link", "n1"}, {"Z", "z"}, {"Link", "n2"}};
  CHECK(merge(stored, update) == std::vector<P>{{"Link", "n1"},
                                                {"Link", "n2"},
                                                {"X", "1"},
                                                {"Y", "2"},
                                                {"Z", "z"}});
}

TEST_CASE("header update: framing and coding fields keep their stored values",
          "[header_update]") {
  auto name = GENERATE(as<std::string>{}, "Content-Length", "content-length",
                       "Transfer-Encoding", "Content-Encoding", "Content-Range");
  INFO(name);
  Fields stored{{"Content-Length", "5"}, {"Content-Encoding", "gzip"},
                {"Content-Range", "bytes 0-4/5"}};
  Fields update{{name, "changed"}};
  CHECK(merge(stored, update) == std::vector<P>{{"Content-Length", "5"},
                                                {"Content-Encoding", "gzip"},
                                                {"Content-Range", "bytes 0-4/5"}});
}

TEST_CASE("header update: hop-by-hop fields are ignored", "[header_update]") {
  auto name = GENERATE(as<std::string>{}, "Connection", "Keep-Alive", "Proxy-Connection", "TE",
                       "Trailer", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate",
                       "Proxy-Authorization");
  INFO(name);
  Fields stored{{"A", "1"}};
  Fields update{{name, "x"}, {"B", "2"}};
  CHECK(merge(stored, update) == std::vector<P>{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("header update: fields named by Connection are ignored", "[header_update]") {
  Fields stored{{"X-Hop", "stored"}, {"X-Keep", "old"}};
  Fields update{{"Connection", "x-hop, close"}, {"X-Hop", "new"}, {"X-Keep", "new"},
                {"Connection", "X-Other"}, {"x-other", "o"}};
  CHECK(merge(stored, update) == std::vector<P>{{"X-Hop", "stored"}, {"X-Keep", "new"}});
}

TEST_CASE("header update: empty sides", "[header_update]") {
  Fields none{};
  Fields some{{"A", "1"}, {"B", "2"}};
  CHECK(merge(none, none).empty());
  CHECK(merge(some, none) == std::vector<P>{{"A", "1"}, {"B", "2"}});
  CHECK(merge(none, some) == std::vector<P>{{"A", "1"}, {"B", "2"}});
}

TEST_CASE("header update: views point into the inputs", "[header_update]") {
  Fields stored{{"A", "1"}, {"B", "2"}};
  Fields update{{"B", "3"}};
  const auto out = merge_updated_fields(stored.hs, update.hs);
  REQUIRE(out.size() == 2);
  CHECK(out[0].value.data() == stored.hs[0].value.data());
  CHECK(out[1].value.data() == update.hs[0].value.data());
}
