-- wrk script of the auction benchmark: proxy bids over HTTP, each with its own Idempotency-Key,
-- by 32 registered firms (FIRM_KEYS), on one hot lot (ONE_LOT=1: HOT_LOT) or each firm on its own
-- lot (LOTS, in FIRM_KEYS' order). A firm's maximum only grows, so a bid is accepted unless another
-- firm's has overtaken it; refused or accepted, each is a command written under the lot's lock.
-- done() prints one line for scripts/bench-auctions.
local keys = {}
for key in string.gmatch(os.getenv("FIRM_KEYS") or error("run this through scripts/bench-auctions"), "[^,]+") do table.insert(keys, key) end
local lots = {}
for lot in string.gmatch(os.getenv("LOTS"), "[^,]+") do table.insert(lots, lot) end
local hot = os.getenv("HOT_LOT")
local one = os.getenv("ONE_LOT") == "1"
local opening = tonumber(os.getenv("OPENING_FEN"))
local increment = tonumber(os.getenv("INCREMENT_FEN"))
local thread_count = tonumber(os.getenv("WRK_THREADS"))
local run = os.getenv("RUN_NAME")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local sent = 0
accepted = 0
refused = 0
failed = 0

function request()
  sent = sent + 1
  local n = sent * thread_count + tid
  local i = n % #keys + 1
  local lot = one and hot or lots[i]
  local max = opening + n * increment
  return wrk.format("POST", "/v1/lots/" .. lot .. "/bids",
    { ["Authorization"] = "Bearer " .. keys[i], ["Content-Type"] = "application/json", ["Idempotency-Key"] = run .. "-" .. tid .. "-" .. sent },
    string.format('{"maxFen": %d}', max))
end

function response(status, headers, body)
  if status == 201 then
    accepted = accepted + 1
  elseif status == 409 or status == 422 then
    refused = refused + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local ok, no, bad = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("accepted")
    no = no + thread:get("refused")
    bad = bad + thread:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT commands=%d accepted=%d refused=%d failed=%d seconds=%.3f per_second=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    ok + no, ok, no, bad, seconds, (ok + no) / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
