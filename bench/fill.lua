-- wrk script for bench/purge.sh: fills the cache fast, or checks it. Run with -t1.
--
-- Requests BENCH_PREFIX<i> for i = BENCH_START .. BENCH_START+BENCH_URLS-1 in order, then wraps
-- around to the start again, until purge.sh stops wrk (SIGINT). Once BENCH_DONE_AT answers
-- (default BENCH_URLS) are in, it writes one line to BENCH_DONE_FILE, which tells purge.sh to stop:
--   answered=<n> bad=<n> not_hit=<n>
-- counted over those first BENCH_DONE_AT answers: bad = not a 200 with a BENCH_LEN-byte body
-- (default 1024); not_hit = no "; hit" in Cache-Status.
-- To fill: DONE_AT a little over URLS (every URL requested once, then a few repeats, which are
-- hits). To check: run again with DONE_AT = URLS: every answer counted is for a URL of the range,
-- so not_hit must be 0.
local n = tonumber(os.getenv("BENCH_URLS") or "10000")
local prefix = os.getenv("BENCH_PREFIX") or "/tagged/3/"
local start = tonumber(os.getenv("BENCH_START") or "0")
local want_len = tonumber(os.getenv("BENCH_LEN") or "1024")
local done_at = tonumber(os.getenv("BENCH_DONE_AT") or tostring(n))
local done_file = os.getenv("BENCH_DONE_FILE")

function init(args)
  -- wrk calls request() once after init to inspect it (and sends nothing): starting at -1 makes
  -- that call use up an index that is not part of the walk.
  next_i = -1
  answered, bad, not_hit = 0, 0, 0
end

function request()
  local i = next_i
  next_i = next_i + 1
  if i < 0 then i = 0 end
  return wrk.format("GET", prefix .. (start + i % n))
end

function response(status, headers, body)
  answered = answered + 1
  if answered > done_at then return end
  if status ~= 200 or #body ~= want_len then bad = bad + 1 end
  local cs = headers["Cache-Status"] or headers["cache-status"] or ""
  if not string.find(cs, "; hit", 1, true) then not_hit = not_hit + 1 end
  if answered == done_at and done_file then
    local f = io.open(done_file, "w")
    f:write(string.format("answered=%d bad=%d not_hit=%d\n", answered, bad, not_hit))
    f:close()
  end
end
