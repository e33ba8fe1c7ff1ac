// Per-site header rules applied to a head: dropped fields, the start line kept, case ignored.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "http/header_edits.h"

using namespace lacquer::http;

TEST_CASE("header edits: removed and replaced fields are dropped, whatever their case", "[header_edits]") {
  const std::vector<std::string> drop = {"Server", "x-powered-by", "Cache-Control"};
  const HeaderEdits edits{drop, "Cache-Control: no-cache\r\n"};
  CHECK(drops(edits, "SERVER"));
  CHECK(drops(edits, "X-Powered-By"));
  CHECK_FALSE(drops(edits, "Server-Timing"));
  std::string out;
  append_without_dropped(out,
                         "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nX-Powered-By: PHP\r\n"
                         "cache-control: max-age=60\r\nSERVER: again\r\n",
                         true, edits);
  CHECK(out == "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
  out.clear();
  append_without_dropped(out, "Age: 3\r\nServer: x\r\nCache-Status: lacquer; hit\r\n", false, edits);
  CHECK(out == "Age: 3\r\nCache-Status: lacquer; hit\r\n");
}

TEST_CASE("header edits: no rules leave a head as it was", "[header_edits]") {
  const HeaderEdits none{};
  CHECK(none.empty());
  const std::string head = "HTTP/1.1 404 Not Found\r\nA: 1\r\nB: 2\r\n";
  std::string out;
  append_without_dropped(out, head, true, none);
  CHECK(out == head);
  out.clear();
  append_without_dropped(out, "", false, none);
  CHECK(out.empty());
}
