// Loading: embedded defaults <- TOML file <- flags, then checks that span several keys.
// Every problem becomes a ConfigError; nothing here throws out of load_config*().
#include "conf/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <toml++/toml.h>

#include "conf/listen_tables.h"
#include "conf/schema.h"
#include "conf/site_schema.h"
#include "conf/values.h"

namespace lacquer::conf {

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line) + ':' + std::to_string(column > 0 ? column : 1);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

namespace {

constexpr std::size_t kMaxFileBytes = 16u << 20;

int to_int(toml::source_index index) {
  return index > 0x7fffffffu ? 0x7fffffff : static_cast<int>(index);
}

Where where_of(const std::string& file, const toml::source_region& region, const std::string& key) {
  return Where{file, to_int(region.begin.line), to_int(region.begin.column), key};
}

// The whole TOML document: known tables, then known keys, each handed to its schema field.
void apply_document(const toml::table& root, const std::string& file, const Schema& schema,
                    Config& config, Sink& sink) {
  for (auto&& [table_key, table_node] : root) {
    const std::string table_name(table_key.str());
    if (table_name == "listen") {  // [[listen]]: an array of tables, not a keyed table
      apply_listen_tables(table_node, file, config, sink);
      continue;
    }
    if (apply_site_tables(table_name, table_node, file, schema.config().routing, sink)) continue;
    const SchemaTable* spec = schema.find_table(table_name);
    if (!spec) {
      sink.add(where_of(file, table_key.source(), table_name),
               "expected one of " + schema.table_names() + ", got unknown table " +
                   detail::quote(table_name));
      continue;
    }
    const toml::table* table = table_node.as_table();
    if (!table) {
      sink.add(where_of(file, table_node.source(), table_name),
               "expected a table, got " + describe(table_node));
      continue;
    }
    for (auto&& [key, node] : *table) {
      const std::string dotted = table_name + "." + std::string(key.str());
      const SchemaField* field = spec->find(key.str());
      if (!field) {
        sink.add(where_of(file, key.source(), dotted),
                 "expected one of " + spec->key_names() + ", got unknown key " +
                     detail::quote(key.str()));
        continue;
      }
      Where at = where_of(file, node.source(), dotted);
      if (field->from_toml(node, at, sink)) sink.set_origin(dotted, at);
    }
  }
}

void apply_text(std::string_view text, const std::string& file, const Schema& schema, Config& config,
                Sink& sink) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    sink.add(Where{file, to_int(begin.line), to_int(begin.column), ""},
             "TOML syntax error: " + std::string(e.description()));
    return;
  }
  const std::size_t first = sink.count();
  apply_document(root, file, schema, config, sink);
  sink.sort_by_position(first);
}

// Flags, in the order of the usage text. Each names the schema key it overrides.
void apply_flags(const CommandLine& cmd, const Schema& schema, Sink& sink) {
  struct FlagBinding {
    const std::optional<std::string>* value;
    const char* flag;
    const char* table;
    const char* key;
  };
  const FlagBinding bindings[] = {
      {&cmd.listen, "--listen", "server", "listen"},
      {&cmd.admin, "--admin", "server", "admin"},
      {&cmd.origin, "--origin", "origin", "address"},
      {&cmd.threads, "--threads", "server", "threads"},
      {&cmd.state_dir, "--state-dir", "cache", "state_dir"},
      {&cmd.memory, "--memory", "cache", "memory"},
      {&cmd.disk, "--disk", "cache", "disk"},
  };
  for (const auto& b : bindings) {
    if (!b.value->has_value()) continue;
    const SchemaField* field = schema.find_table(b.table)->find(b.key);
    Where at{"command line", 0, 0, b.flag};
    if (field->from_flag(**b.value, at, sink)) {
      sink.set_origin(std::string(b.table) + "." + b.key, at);
    }
  }
}

// Reads a whole file; on failure returns nullopt and reports the path and the OS error.
std::optional<std::string> read_file(const std::string& path, Sink& sink) {
  auto fail = [&](const std::string& what) {
    sink.add(Where{path, 0, 0, ""}, "cannot read config file: " + what);
    return std::nullopt;
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return fail(std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return fail(std::strerror(EISDIR));
  }
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return fail(std::strerror(err));
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > kMaxFileBytes) {
      ::close(fd);
      return fail("larger than " + detail::format_size(kMaxFileBytes));
    }
  }
  ::close(fd);
  return data;
}

LoadOutcome internal_error(std::string_view file, const char* what) {
  LoadOutcome out;
  out.errors.push_back(ConfigError{std::string(file), 0, 0, "",
                                   std::string("internal error while loading: ") + what});
  return out;
}

}  // namespace

LoadOutcome load_config(const CommandLine& cmd) {
  try {
    LoadOutcome out;
    Sink sink(out.errors);
    Schema schema(out.config);
    if (cmd.config_path) {
      if (auto text = read_file(*cmd.config_path, sink)) {
        apply_text(*text, *cmd.config_path, schema, out.config, sink);
      }
    }
    apply_flags(cmd, schema, sink);
    finish_listeners(out.config, sink);
    check_relations(out.config, sink);
    check_sites(out.config.routing, cmd.config_path.value_or("command line"), sink);
    return out;
  } catch (const std::exception& e) {
    return internal_error(cmd.config_path ? *cmd.config_path : "command line", e.what());
  } catch (...) {
    return internal_error(cmd.config_path ? *cmd.config_path : "command line", "unknown");
  }
}

LoadOutcome load_config_text(std::string_view toml_text, std::string_view file_name) {
  try {
    LoadOutcome out;
    Sink sink(out.errors);
    Schema schema(out.config);
    apply_text(toml_text, std::string(file_name), schema, out.config, sink);
    finish_listeners(out.config, sink);
    check_relations(out.config, sink);
    check_sites(out.config.routing, std::string(file_name), sink);
    return out;
  } catch (const std::exception& e) {
    return internal_error(file_name, e.what());
  } catch (...) {
    return internal_error(file_name, "unknown");
  }
}

}  // namespace lacquer::conf
