#include "cluster/redis_link.h"

#include <sys/time.h>

namespace lacquer::cluster {
namespace {

timeval to_timeval(std::uint32_t ms) { return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)}; }

void* send_argv(redisContext* ctx, const std::vector<std::string>& argv, bool append) {
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  if (append) {
    return redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data()) == REDIS_OK
               ? ctx : nullptr;
  }
  return redisCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

}  // namespace

std::string reply_text(const redisReply* r) {
  if (!r) return {};
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  if (r->str) return std::string(r->str, r->len);
  return {};
}

bool is_error(const redisReply* r) { return !r || r->type == REDIS_REPLY_ERROR; }

void RedisLink::drop() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
}

void RedisLink::set_timeout(std::uint32_t ms) {
  if (ctx_) redisSetTimeout(ctx_, to_timeval(ms));
}

bool RedisLink::ensure() {
  if (ctx_) return true;
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port, to_timeval(options_.timeout_ms));
  if (!c || c->err) {
    error_ = c ? c->errstr : "cannot allocate a Redis context";
    if (c) redisFree(c);
    return false;
  }
  ctx_ = c;
  set_timeout(options_.timeout_ms);
  if (!options_.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options_.username.empty()) auth.push_back(options_.username);
    auth.push_back(options_.password);
    Reply r = command(auth);
    if (!r || is_error(r.get())) {
      error_ = r ? "AUTH refused: " + reply_text(r.get()) : error_;
      drop();
      return false;
    }
  } else {
    // Without a password, check that the server does not want one (NOAUTH), so a
    // misconfiguration shows as "disconnected", not as failing commands later.
    Reply r = command({"PING"});
    if (!r || is_error(r.get())) {
      error_ = r ? "PING refused: " + reply_text(r.get()) : error_;
      drop();
      return false;
    }
  }
  error_.clear();
  return true;
}

Reply RedisLink::command(const std::vector<std::string>& argv, std::uint32_t extra_ms) {
  if (!ctx_) return nullptr;
  if (extra_ms) set_timeout(options_.timeout_ms + extra_ms);
  auto* r = static_cast<redisReply*>(send_argv(ctx_, argv, false));
  if (extra_ms && ctx_) set_timeout(options_.timeout_ms);
  if (!r) {
    error_ = ctx_->errstr;
    drop();
    return nullptr;
  }
  return Reply(r);
}

std::vector<Reply> RedisLink::pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<Reply> out;
  if (!ctx_) return out;
  for (const auto& c : commands) {
    if (!send_argv(ctx_, c, true)) {
      error_ = ctx_->errstr;
      drop();
      return {};
    }
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK || !r) {
      error_ = ctx_->errstr;
      drop();
      return {};
    }
    out.emplace_back(static_cast<redisReply*>(r));
  }
  return out;
}

}  // namespace lacquer::cluster
