-- wrk script: every request picks one of BENCH_URLS (default 10000) URLs
-- BENCH_PREFIX<i> (default /bytes/1024/<i>), i = BENCH_START (default 0) .. BENCH_START+BENCH_URLS-1,
-- uniformly at random. The request strings are built once, in init (after wrk has set Host).
local n = tonumber(os.getenv("BENCH_URLS") or "10000")
local prefix = os.getenv("BENCH_PREFIX") or "/bytes/1024/"
local start = tonumber(os.getenv("BENCH_START") or "0")
local reqs = {}

function init(args)
  math.randomseed(os.time())
  for i = 0, n - 1 do
    reqs[i + 1] = wrk.format("GET", prefix .. (start + i))
  end
end

function request()
  return reqs[math.random(n)]
end
