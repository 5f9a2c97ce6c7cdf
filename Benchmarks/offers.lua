-- wrk script of the offer benchmark: each request is one firm's offer on a listing. With
-- HOT=0 the offers are at the ask on LISTING_COUNT listings from LISTING_FIRST, a new firm and
-- listing pair each time (each takes a licence seat and signs a contract); with HOT=1 they are
-- below the ask of the one listing HOT_LISTING, each firm's once (each rests in its book for
-- negotiation). The firms' keys are KEYS_FILE's lines. N_FROM (default 0) shifts the firm and
-- listing pairs and KEY_RUN names the Idempotency-Keys, for a warm-up apart from the runs.
-- done() prints one line for scripts/bench-offers.
local hot = os.getenv("HOT") == "1"
local hot_listing = tonumber(os.getenv("HOT_LISTING"))
local first = tonumber(os.getenv("LISTING_FIRST"))
local count = tonumber(os.getenv("LISTING_COUNT"))
local thread_count = tonumber(os.getenv("WRK_THREADS")) or error("WRK_THREADS is not set: run this through scripts/bench-offers")
local keys = {}
for line in io.lines(os.getenv("KEYS_FILE")) do table.insert(keys, line) end
local valid_until = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 86400)
-- The hot run's Idempotency-Keys must differ from the distinct run's on the same database.
local n_from = tonumber(os.getenv("N_FROM")) or 0
local run = os.getenv("KEY_RUN") or (hot and "hot" or "distinct")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads - 1)
end

local sent = 0
placed = 0
filled = 0
refused = 0

function request()
  -- `threads` is filled in the main script's state, not in this thread's, so the thread count
  -- comes from the environment (scripts/bench-offers runs wrk with -t2).
  local n = n_from + sent * thread_count + tid
  sent = sent + 1
  local listing, firm, price
  if hot then
    listing, firm, price = hot_listing, keys[n % #keys + 1], 50000000 + n
  else
    listing, firm, price = first + n % count, keys[math.floor(n / count) % #keys + 1], 100000
  end
  local body = string.format(
    '{"mode": "licence_non_exclusive", "priceFen": %d, "terms": "压测", "validUntil": "%s"}', price, valid_until)
  return wrk.format("POST", "/v1/listings/" .. listing .. "/offers",
    { ["Authorization"] = "Bearer " .. firm, ["Content-Type"] = "application/json", ["Idempotency-Key"] = run .. "-" .. n }, body)
end

function response(status, headers, body)
  if status == 201 then
    placed = placed + 1
    if body:find('"status":"filled"', 1, true) then filled = filled + 1 end
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local total, fills, failed = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("placed")
    fills = fills + thread:get("filled")
    failed = failed + thread:get("refused")
  end
  io.write(string.format("RESULT offers=%d filled=%d seconds=%.3f per_second=%.1f p50_ms=%.2f p99_ms=%.2f refused=%d\n",
    total, fills, summary.duration / 1e6, total / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed))
end
