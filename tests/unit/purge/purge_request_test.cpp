// PURGE control fields (purge/purge_request): documented values and the usual booleans are
// accepted; anything unclear is refused with a reason, never guessed.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "purge/purge_request.h"

using namespace lacquer;
using namespace lacquer::purge;

namespace {
PurgeControls read(std::vector<http::Header> hs) { return read_purge_controls(hs); }
}  // namespace

TEST_CASE("purge flags: the usual booleans, nothing else", "[purge_request]") {
  for (const char* t : {"1", "true", "TRUE", "yes", "Yes", "on", " 1 "}) CHECK(parse_purge_flag(t) == true);
  for (const char* f : {"0", "false", "no", "OFF"}) CHECK(parse_purge_flag(f) == false);
  for (const char* x : {"", "2", "y", "maybe", "1,0", "truee", "-1"}) CHECK_FALSE(parse_purge_flag(x));
}

TEST_CASE("purge controls: the forms", "[purge_request]") {
  CHECK(read({}).form == PurgeForm::Url);
  CHECK(read({{"Host", "a"}, {"Authorization", "Bearer x"}}).form == PurgeForm::Url);
  CHECK(read({{"Purge-All", "1"}}).form == PurgeForm::All);
  CHECK(read({{"purge-all", "yes"}}).form == PurgeForm::All);
  CHECK(read({{"Purge-All", "0"}}).form == PurgeForm::Url);
  CHECK(read({{"Purge-All", "no"}, {"Surrogate-Key", "a"}}).form == PurgeForm::Tags);
  CHECK(read({{"Surrogate-Key", "a b"}}).form == PurgeForm::Tags);
  auto soft = read({{"Soft-Purge", "yes"}, {"Surrogate-Key", "a"}});
  CHECK((soft.error.empty() && soft.soft && soft.form == PurgeForm::Tags));
  CHECK_FALSE(read({{"Soft-Purge", "off"}}).soft);
  CHECK(read({{"Soft-Purge", "1"}, {"Soft-Purge", "true"}}).soft);
  // The cluster's "purged everywhere" request is a known control, not a lookalike.
  auto wait = read({{"Purge-Wait", "all"}, {"Surrogate-Key", "a"}});
  CHECK((wait.error.empty() && wait.form == PurgeForm::Tags));
}

TEST_CASE("purge controls: unclear requests are refused with the reason", "[purge_request]") {
  auto [fields, mentions] = GENERATE(table<std::vector<http::Header>, std::string>({
      {{{"Purge-All", "maybe"}}, "Purge-All: \"maybe\""},
      {{{"Purge-all", "2"}}, "Purge-all: \"2\""},
      {{{"Soft-Purge", "soft"}}, "Soft-Purge: \"soft\""},
      {{{"Soft-Purge", "1"}, {"Soft-Purge", "0"}}, "given twice"},
      {{{"Purge-All", "1"}, {"Surrogate-Key", "a"}}, "both given"},
      {{{"Surrogate-Keys", "a"}}, "Surrogate-Keys is not a purge control"},
      {{{"Surrogate_Key", "a"}}, "Surrogate_Key"},
      {{{"X-Surrogate-Key", "a"}}, "X-Surrogate-Key"},
      {{{"PurgeAll", "1"}}, "PurgeAll"},
      {{{"X-Purge-All", "1"}}, "X-Purge-All"},
      {{{"Fastly-Soft-Purge", "1"}, {"Surrogate-Key", "a"}}, "Fastly-Soft-Purge"},
      {{{"Cache-Tag", "a"}}, "Cache-Tag"},
      {{{"xkey", "a"}}, "xkey"},
  }));
  auto c = read(fields);
  INFO(c.error);
  CHECK(c.error.find(mentions) != std::string::npos);
}

TEST_CASE("purge controls: Purge-Prefix asks for a prefix purge, alone", "[purge_request]") {
  CHECK(read({{"Purge-Prefix", "1"}}).form == PurgeForm::Prefix);
  CHECK(read({{"purge-prefix", "on"}, {"Soft-Purge", "1"}}).soft);
  CHECK(read({{"Purge-Prefix", "0"}}).form == PurgeForm::Url);
  CHECK(read({{"Purge-Prefix", "0"}, {"Surrogate-Key", "a"}}).form == PurgeForm::Tags);
  const auto both = read({{"Purge-Prefix", "1"}, {"Purge-All", "1"}});
  CHECK(both.error.find("Purge-Prefix and Purge-All") != std::string::npos);
  CHECK(read({{"Purge-Prefix", "1"}, {"Surrogate-Key", "a"}}).error.find("Surrogate-Key") != std::string::npos);
  CHECK(read({{"Purge-Prefix", "maybe"}}).error.find("not understood") != std::string::npos);
  CHECK(read({{"Purge-Prefix", "1"}, {"purge-prefix", "0"}}).error.find("twice") != std::string::npos);
  CHECK(read({{"X-Purge-Prefix", "1"}}).error.find("not a purge control") != std::string::npos);
}
