// Internal to conf/: the table of known TOML keys, how each is parsed and checked, and where the
// value that won came from. Shared by the TOML walk and the flags (loader.cc).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "conf/config.h"
#include "conf/loader.h"

namespace lacquer::conf {

// Where a value came from: a file position, or the command line (line 0, key = flag name).
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;  // as reported: "cache.memory" or "--memory"
};

// Collects errors and remembers, per dotted key, the Where of the value now in the Config.
class Sink {
 public:
  explicit Sink(std::vector<ConfigError>& errors) : errors_(errors) {}
  void add(const Where& at, std::string message) {
    errors_.push_back(ConfigError{at.file, at.line, at.column, at.key, std::move(message)});
  }
  std::size_t count() const { return errors_.size(); }
  // Orders the errors added since `from` by line and column (toml++ tables iterate by name).
  void sort_by_position(std::size_t from) {
    std::stable_sort(errors_.begin() + static_cast<std::ptrdiff_t>(from), errors_.end(),
                     [](const ConfigError& a, const ConfigError& b) {
                       return a.line != b.line ? a.line < b.line : a.column < b.column;
                     });
  }
  void set_origin(const std::string& dotted, const Where& at) { origins_[dotted] = at; }
  const Where* origin(const std::string& dotted) const {
    auto it = origins_.find(dotted);
    return it == origins_.end() ? nullptr : &it->second;
  }

 private:
  std::vector<ConfigError>& errors_;
  std::map<std::string, Where> origins_;
};

// One key. Both functions check the value, store it in the Config on success and return true,
// or report an error and leave the Config unchanged. from_flag is empty for file-only keys.
struct SchemaField {
  std::string name;
  std::function<bool(const toml::node&, const Where&, Sink&)> from_toml;
  std::function<bool(const std::string&, const Where&, Sink&)> from_flag;
};

struct SchemaTable {
  std::string name;
  std::vector<SchemaField> fields;
  const SchemaField* find(std::string_view key) const;
  std::string key_names() const;  // "listen, admin, threads"
};

// Every table and key of the TOML layout, bound to the fields of one Config.
class Schema {
 public:
  explicit Schema(Config& config);
  const SchemaTable* find_table(std::string_view name) const;
  Config& config() const { return config_; }  // for the tables outside the key table ([[site]])
  std::string table_names() const;

 private:
  std::vector<SchemaTable> tables_;
  Config& config_;
};

// What a TOML value looks like in a message: "\"lots\"", "12", "true", "an array", "a table".
std::string describe(const toml::node& node);

// Checks that involve more than one key (header limits, address clashes), after flags.
void check_relations(const Config& config, Sink& sink);

}  // namespace lacquer::conf
