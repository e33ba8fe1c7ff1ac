-- wrk script for bench/hitratio.sh: a fixed request stream, the same for every proxy.
--   BENCH_OBJECTS (20000) objects /BENCH_KIND/BENCH_SIZE/<i> (BENCH_KIND: random, incompressible
--   bodies, or bytes: all 'x'), picked Zipf(BENCH_ALPHA = 0.9) with a
--   fixed seed; BENCH_SCAN=1 makes every fourth request a URL never requested before nor again
--   (/BENCH_KIND/BENCH_SIZE/scan-BENCH_RUN-<n>), a crawler walking the site. BENCH_SEED picks the
--   stream (the warm-up and the measured run use different seeds, the same for every proxy).
-- Stops after BENCH_REQUESTS answers (run with -t1). Counts answers that are not a 200 of
-- BENCH_SIZE bytes and writes "answered=<n> bad=<n>" to BENCH_DONE_FILE at the end.
local objects = tonumber(os.getenv("BENCH_OBJECTS") or "20000")
local size = os.getenv("BENCH_SIZE") or "65536"
local kind = os.getenv("BENCH_KIND") or "random"
local alpha = tonumber(os.getenv("BENCH_ALPHA") or "0.9")
local scan = os.getenv("BENCH_SCAN") == "1"
local run = os.getenv("BENCH_RUN") or "0"
local total = tonumber(os.getenv("BENCH_REQUESTS") or "100000")
local done_file = os.getenv("BENCH_DONE_FILE")
local cdf = {}
local sent, answered, bad, scanned = 0, 0, 0, 0

-- A small deterministic generator (xorshift32): the same stream for every proxy and run.
-- wrk runs LuaJIT: bit operations from its bit library (signed 32-bit results).
local state = 2463534242 + tonumber(os.getenv("BENCH_SEED") or "0") * 7919
local function rand()
  local x = state
  x = bit.bxor(x, bit.lshift(x, 13))
  x = bit.bxor(x, bit.rshift(x, 17))
  x = bit.bxor(x, bit.lshift(x, 5))
  state = x
  return (x % 4294967296) / 4294967296
end

function init(args)
  local sum = 0
  for i = 1, objects do
    sum = sum + 1 / (i ^ alpha)
    cdf[i] = sum
  end
  for i = 1, objects do cdf[i] = cdf[i] / sum end
end

local function zipf()
  local u, lo, hi = rand(), 1, objects
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo - 1
end

function request()
  sent = sent + 1
  if scan and sent % 4 == 0 then
    scanned = scanned + 1
    return wrk.format("GET", "/" .. kind .. "/" .. size .. "/scan-" .. run .. "-" .. scanned)
  end
  return wrk.format("GET", "/" .. kind .. "/" .. size .. "/" .. zipf())
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or #body ~= tonumber(size) then bad = bad + 1 end
  if answered == total then
    if done_file then
      local f = io.open(done_file, "w")
      f:write(string.format("answered=%d bad=%d\n", answered, bad))
      f:close()
    end
    wrk.thread:stop()
  end
end
