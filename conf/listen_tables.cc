#include "conf/listen_tables.h"

#include "conf/loader.h"
#include "conf/values.h"

namespace lacquer::conf {
namespace {

using detail::quote;

int to_int(toml::source_index index) { return index > 0x7fffffffu ? 0x7fffffff : static_cast<int>(index); }

Where where_of(const std::string& file, const toml::node& node, const std::string& key) {
  const auto& begin = node.source().begin;
  return Where{file, to_int(begin.line), to_int(begin.column), key};
}

ConfigPlace place_of(const Where& at) {
  return ConfigPlace{at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column > 0 ? at.column : 1),
                     at.key};
}

// A non-empty string, or an error naming what was expected.
bool read_path(const toml::node& node, const Where& at, std::string& out, Sink& sink) {
  const auto* s = node.as_string();
  if (!s || s->get().empty()) {
    sink.add(at, "expected a file path, got " + describe(node));
    return false;
  }
  out = s->get();
  return true;
}

void read_certificate(const toml::node& node, const std::string& file, const std::string& key,
                      ListenConfig& listener, Sink& sink) {
  const Where at = where_of(file, node, key);
  const auto* table = node.as_table();
  if (!table) {
    sink.add(at, "expected a table like { cert = \"site.pem\", key = \"site.key\" }, got " + describe(node));
    return;
  }
  TlsCertificateConfig cert;
  cert.place = place_of(at);
  bool ok = true;
  for (auto&& [name, value] : *table) {
    const std::string dotted = key + "." + std::string(name.str());
    const Where vat = where_of(file, value, dotted);
    if (name.str() == "cert") ok = read_path(value, vat, cert.cert, sink) && ok;
    else if (name.str() == "key") ok = read_path(value, vat, cert.key, sink) && ok;
    else {
      sink.add(vat, "expected one of cert, key, got unknown key " + quote(name.str()));
      ok = false;
    }
  }
  if (ok && (cert.cert.empty() || cert.key.empty())) {
    sink.add(at, std::string("expected both cert and key, got no ") + (cert.cert.empty() ? "cert" : "key"));
    ok = false;
  }
  if (ok) listener.certificates.push_back(std::move(cert));
}

void read_listener(const toml::node& node, const std::string& file, std::size_t index, Config& config, Sink& sink) {
  const std::string key = "listen[" + std::to_string(index) + "]";
  const Where at = where_of(file, node, key);
  const auto* table = node.as_table();
  if (!table) {
    sink.add(at, "expected a [[listen]] table, got " + describe(node));
    return;
  }
  ListenConfig listener;
  listener.place = place_of(at);
  const std::size_t errors_before = sink.count();
  bool has_address = false;
  const toml::node* certificates = nullptr;
  Where certificates_at;
  for (auto&& [name, value] : *table) {
    const std::string dotted = key + "." + std::string(name.str());
    const Where vat = where_of(file, value, dotted);
    if (name.str() == "address") {
      std::optional<Endpoint> e;
      if (const auto* s = value.as_string()) e = parse_endpoint(s->get());
      if (!e) sink.add(vat, "expected an address like \"0.0.0.0:443\" or \"[::]:443\", got " + describe(value));
      else {
        listener.address = *e;
        has_address = true;
      }
    } else if (name.str() == "tls") {
      if (const auto* b = value.as_boolean()) listener.tls = b->get();
      else sink.add(vat, "expected true or false, got " + describe(value));
    } else if (name.str() == "certificates") {
      certificates = &value;
      certificates_at = vat;
    } else {
      sink.add(vat, "expected one of address, tls, certificates, got unknown key " + quote(name.str()));
    }
  }
  if (!has_address && sink.count() == errors_before) sink.add(at, "expected an address = \"host:port\" in [[listen]]");
  if (certificates) {
    const auto* list = certificates->as_array();
    if (!list) {
      sink.add(certificates_at, "expected an array of { cert = ..., key = ... } tables, got " + describe(*certificates));
    } else {
      for (std::size_t i = 0; i < list->size(); ++i)
        read_certificate(*list->get(i), file, certificates_at.key + "[" + std::to_string(i) + "]", listener, sink);
    }
  }
  if (listener.tls && listener.certificates.empty() && sink.count() == errors_before)
    sink.add(at, "expected certificates = [ { cert = ..., key = ... } ] for a TLS listener (tls = true)");
  if (!listener.tls && certificates && sink.count() == errors_before)
    sink.add(certificates_at, "expected tls = true with certificates (a cleartext listener takes none)");
  if (sink.count() == errors_before) config.listeners.push_back(std::move(listener));
}

bool same_address(const Endpoint& a, const Endpoint& b) { return a.port != 0 && a.port == b.port && a.host == b.host; }

}  // namespace

void apply_listen_tables(const toml::node& node, const std::string& file, Config& config, Sink& sink) {
  const auto* list = node.as_array();
  if (!list) {
    sink.add(where_of(file, node, "listen"), "expected [[listen]] tables, got " + describe(node));
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) read_listener(*list->get(i), file, i, config, sink);
}

void finish_listeners(Config& config, Sink& sink) {
  if (!config.listeners.empty() && !sink.origin("server.listen")) config.server.listen_enabled = false;
  for (std::size_t i = 0; i < config.listeners.size(); ++i) {
    const auto& l = config.listeners[i];
    auto clash = [&](const std::string& what) {
      // The entry's own position: "file:line:col" is split back into a Where.
      sink.add(Where{l.place.position, 0, 0, l.place.key + ".address"},
               "expected an address no other listener uses, got " + quote(l.address.to_string()) + " (also " + what +
                   ")");
    };
    if (config.server.listen_enabled && same_address(l.address, config.server.listen)) clash("server.listen");
    else if (same_address(l.address, config.server.admin)) clash("server.admin");
    else if (same_address(l.address, config.origin.address)) clash("origin.address: requests would loop");
    else
      for (std::size_t j = 0; j < i; ++j)
        if (same_address(l.address, config.listeners[j].address)) {
          clash(config.listeners[j].place.key);
          break;
        }
  }
}

}  // namespace lacquer::conf
