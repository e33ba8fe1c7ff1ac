#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "storage/state_db.h"

using lacquer::storage::StateDb;

namespace {
std::string temp_dir() {
  return (std::filesystem::temp_directory_path() /
          ("lacquer-statedb-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())))
      .string();
}
std::string open_error(const std::string& dir) {
  try {
    StateDb::open(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a state directory written by another format version is refused, naming both") {
  auto dir = temp_dir();
  {
    auto db = StateDb::open(dir);
    rocksdb::WriteOptions wo;
    REQUIRE(db->db()->Put(wo, db->db()->DefaultColumnFamily(), "lacquer-state-format", "99").ok());
  }
  auto err = open_error(dir);
  CHECK(err.find(dir) != std::string::npos);
  CHECK(err.find("format 99") != std::string::npos);
  CHECK(err.find("empty --state-dir") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a state directory that is not a directory cannot be created, and says so") {
  auto file = temp_dir();
  { FILE* f = std::fopen(file.c_str(), "w"); std::fclose(f); }
  auto err = open_error(file + "/sub");
  CHECK(err.find(file) != std::string::npos);
  CHECK(err.find("cannot create") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("reopening our own state directory works") {
  auto dir = temp_dir();
  { auto db = StateDb::open(dir); }
  CHECK(open_error(dir).empty());
  std::filesystem::remove_all(dir);
}
