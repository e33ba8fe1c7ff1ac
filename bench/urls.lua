-- wrk script: every request picks one of BENCH_URLS (default 10000) URLs /bytes/1024/<i>
-- uniformly at random. The request strings are built once, in init (after wrk has set Host).
local n = tonumber(os.getenv("BENCH_URLS") or "10000")
local reqs = {}

function init(args)
  math.randomseed(os.time())
  for i = 0, n - 1 do
    reqs[i + 1] = wrk.format("GET", "/bytes/1024/" .. i)
  end
end

function request()
  return reqs[math.random(n)]
end
