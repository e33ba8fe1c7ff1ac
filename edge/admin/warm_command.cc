#include "edge/admin/warm_command.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

#include "conf/loader.h"

namespace lacquer::edge {
namespace {

constexpr const char* kUsage =
    "usage: lacquer warm FILE [--admin HOST:PORT]\n"
    "       lacquer warm --sitemap URL [--admin HOST:PORT]\n"
    "FILE: one URL per line, a JSON array of URLs, or a sitemap.xml (\"-\" reads stdin).\n"
    "--admin: the running lacquer's admin address (default 127.0.0.1:8081).\n";

struct Answer {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 exchange with the admin port (Connection: close); nullopt when it cannot be had.
std::optional<Answer> exchange(const conf::Endpoint& admin, const std::string& method, const std::string& target,
                               const std::string& body) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(admin.host.c_str(), std::to_string(admin.port).c_str(), &hints, &res) != 0) return std::nullopt;
  int fd = -1;
  for (addrinfo* a = res; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) return std::nullopt;
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + admin.to_string() +
                    "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (std::size_t off = 0; off < req.size();) {
    const ssize_t n = send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return std::nullopt;
    }
    off += static_cast<std::size_t>(n);
  }
  std::string in;
  char buf[16384];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) in.append(buf, static_cast<std::size_t>(n));
  close(fd);
  const auto head_end = in.find("\r\n\r\n");
  if (!in.starts_with("HTTP/1.1 ") || head_end == std::string::npos || in.size() < 12) return std::nullopt;
  return Answer{std::atoi(in.c_str() + 9), in.substr(head_end + 4)};
}

// The number after "name": in a flat JSON object (our own answers); 0 when absent.
std::uint64_t json_number(const std::string& json, const std::string& name) {
  const auto at = json.find("\"" + name + "\":");
  if (at == std::string::npos) return 0;
  return std::strtoull(json.c_str() + at + name.size() + 3, nullptr, 10);
}

void draw(const std::string& status, bool final, bool tty) {
  const std::uint64_t total = json_number(status, "total"), done = json_number(status, "done");
  const int width = 30;
  const int filled = total ? static_cast<int>(done * width / total) : (final ? width : 0);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(width - filled), '-');
  std::fprintf(stderr, "%s[%s] %3d%% %llu/%llu  stored %llu  cached %llu  uncacheable %llu  failed %llu  skipped %llu%s",
               tty ? "\r" : "", bar.c_str(), total ? static_cast<int>(done * 100 / total) : 100,
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
               static_cast<unsigned long long>(json_number(status, "stored")),
               static_cast<unsigned long long>(json_number(status, "cached")),
               static_cast<unsigned long long>(json_number(status, "uncacheable")),
               static_cast<unsigned long long>(json_number(status, "failed")),
               static_cast<unsigned long long>(json_number(status, "skipped")), tty && !final ? "" : "\n");
  std::fflush(stderr);
}

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == ':') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

int run_warm_command(const std::vector<std::string>& args) {
  std::string file, sitemap, admin_text = "127.0.0.1:8081";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--admin" || args[i] == "--sitemap") && i + 1 < args.size()) {
      (args[i] == "--admin" ? admin_text : sitemap) = args[i + 1];
      ++i;
    } else if (args[i] == "-h" || args[i] == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (file.empty() && (args[i] == "-" || !args[i].starts_with("--"))) {
      file = args[i];
    } else {
      std::fprintf(stderr, "lacquer warm: unexpected argument \"%s\"\n%s", args[i].c_str(), kUsage);
      return 2;
    }
  }
  if (file.empty() == sitemap.empty()) {
    std::fprintf(stderr, "lacquer warm: give a FILE or --sitemap URL\n%s", kUsage);
    return 2;
  }
  auto admin = conf::parse_endpoint(admin_text);
  if (!admin || admin->port == 0) {
    std::fprintf(stderr, "lacquer warm: --admin expects HOST:PORT, got \"%s\"\n", admin_text.c_str());
    return 2;
  }
  std::string body, target = "/warm";
  if (!sitemap.empty()) {
    target += "?sitemap=" + percent_encode(sitemap);
  } else if (file == "-") {
    body.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "lacquer warm: cannot read %s\n", file.c_str());
      return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    body = text.str();
  }
  auto submitted = exchange(*admin, "POST", target, body);
  if (!submitted) {
    std::fprintf(stderr, "lacquer warm: no answer from the admin port %s\n", admin->to_string().c_str());
    return 1;
  }
  if (submitted->status != 202) {
    std::fprintf(stderr, "lacquer warm: refused (%d): %s", submitted->status, submitted->body.c_str());
    return submitted->status == 400 ? 2 : 1;
  }
  const std::uint64_t id = json_number(submitted->body, "id");
  std::fprintf(stderr, "lacquer warm: job %llu on %s\n", static_cast<unsigned long long>(id), admin->to_string().c_str());
  const bool tty = isatty(STDERR_FILENO);
  auto last_line = std::chrono::steady_clock::now();
  while (true) {
    auto status = exchange(*admin, "GET", "/warm/" + std::to_string(id), {});
    if (!status || status->status != 200) {
      std::fprintf(stderr, "%slacquer warm: lost the job's status\n", tty ? "\n" : "");
      return 1;
    }
    const bool final = status->body.find("\"state\":\"finished\"") != std::string::npos;
    // A terminal gets a bar redrawn in place; a log gets a line every 5 s and the last one.
    if (tty || final || std::chrono::steady_clock::now() - last_line > std::chrono::seconds(5)) {
      draw(status->body, final, tty);
      last_line = std::chrono::steady_clock::now();
    }
    if (final) {
      const auto err = status->body.find("\"error\":");
      if (err != std::string::npos) std::fprintf(stderr, "lacquer warm: %s", status->body.c_str() + err);
      return json_number(status->body, "failed") == 0 && err == std::string::npos ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the polling interval
  }
}

}  // namespace lacquer::edge
