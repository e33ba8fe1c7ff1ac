// One blocking connection to Redis (hiredis), used by exactly one cluster thread (publisher or
// consumer), never by an event loop. Every connect and command is bounded by a timeout; any
// transport error drops the connection and the next ensure() reconnects.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lacquer::cluster {

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

struct LinkOptions {
  std::string host;
  std::uint16_t port = 6379;
  std::string username;  // empty: AUTH <password>
  std::string password;  // empty: no AUTH
  std::uint32_t timeout_ms = 1000;
};

class RedisLink {
 public:
  explicit RedisLink(LinkOptions options) : options_(std::move(options)) {}
  ~RedisLink() { drop(); }
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Connects and authenticates unless connected. On failure returns false; error() says why.
  bool ensure();
  bool connected() const { return ctx_ != nullptr; }
  void drop();
  const std::string& error() const { return error_; }

  // One command; nullptr on a transport error (the link is dropped). A Redis error reply
  // (REDIS_REPLY_ERROR) is returned as a reply. `extra_ms` lengthens the read timeout (XREAD BLOCK).
  Reply command(const std::vector<std::string>& argv, std::uint32_t extra_ms = 0);
  // Several commands in one round trip; empty on a transport error.
  std::vector<Reply> pipeline(const std::vector<std::vector<std::string>>& commands);

 private:
  void set_timeout(std::uint32_t ms);
  LinkOptions options_;
  redisContext* ctx_ = nullptr;
  std::string error_;
};

// Helpers for reading replies.
std::string reply_text(const redisReply* r);  // string/status/error -> text; integer -> digits
bool is_error(const redisReply* r);

}  // namespace lacquer::cluster
