-- wrk script: every request a URL never asked before (all misses, all storable):
-- /bytes/1024/m<BENCH_RUN>-<thread>-<n>. BENCH_RUN must differ between runs.
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local n = 0

function request()
  n = n + 1
  return wrk.format("GET", "/bytes/1024/m" .. run .. "-" .. n)
end
