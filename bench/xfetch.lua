-- wrk script for bench/xfetch.sh: every request asks for one hot object (BENCH_PATH) and the
-- answers are sorted by what the client got, from lacquer's Cache-Status:
--   fresh  a hit on a fresh copy
--   stale  a stale copy (stale-while-revalidate, stale-if-error: a negative ttl or a stale detail)
--   waited the client's request went to the origin, or waited for another's (fwd=..., collapsed)
-- At the end one line goes to BENCH_OUT: "answered=<n> fresh=<n> stale=<n> waited=<n> bad=<n>".
local path = os.getenv("BENCH_PATH") or "/ttl/2/hot"
local out = os.getenv("BENCH_OUT")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answered, fresh, stale, waited, bad = 0, 0, 0, 0, 0
end

function request()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  answered = answered + 1
  local cs = headers["Cache-Status"] or headers["cache-status"] or ""
  if status ~= 200 then
    bad = bad + 1
  elseif cs:find("fwd=") or cs:find("collapsed") then
    waited = waited + 1
  elseif cs:find("ttl=%-") or cs:find("detail=stale") then
    stale = stale + 1
  elseif cs:find("hit") then
    fresh = fresh + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local t = {answered = 0, fresh = 0, stale = 0, waited = 0, bad = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local line = string.format("answered=%d fresh=%d stale=%d waited=%d bad=%d\n",
                             t.answered, t.fresh, t.stale, t.waited, t.bad)
  if out then
    local f = io.open(out, "w")
    f:write(line)
    f:close()
  else
    io.write(line)
  end
end
