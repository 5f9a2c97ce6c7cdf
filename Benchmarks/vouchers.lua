-- wrk script of the voucher benchmark: each redemption is three requests — the firm redeems
-- (201, held), the Songjiang lab claims, the Deqing bureau approves — sent by whichever
-- connection is free next. Vouchers are spread over VOUCHER_COUNT from VOUCHER_FIRST, or with
-- ONE_VOUCHER=1 all on the first. done() prints one line for scripts/bench-vouchers.
local firm = "Bearer tmk_demo_firm_deqing_mogan_equip"
local lab = "Bearer tmk_demo_provider_songjiang_testlab"
local bureau = "Bearer tmk_demo_regulator_deqing_kjj"
local provider = os.getenv("PROVIDER_ID")
local first = tonumber(os.getenv("VOUCHER_FIRST"))
local count = tonumber(os.getenv("VOUCHER_COUNT"))
local one = os.getenv("ONE_VOUCHER") == "1"
local thread_count = tonumber(os.getenv("WRK_THREADS")) or error("WRK_THREADS is not set: run this through scripts/bench-vouchers")
-- Contracts and Idempotency-Keys must differ between runs on the same database.
local run = one and "one" or "many"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local queue = {}
local sent = 0
approved = 0
refused = 0

function request()
  local follow = table.remove(queue, 1)
  if follow then return follow end
  sent = sent + 1
  -- `threads` is filled in the main script's state, not in this thread's, so the thread count
  -- comes from the environment (scripts/bench-vouchers runs wrk with -t2).
  local n = one and first or first + ((sent * thread_count + tid) % count)
  local number = string.format("330521-2026-%06d", n)
  local body = string.format(
    '{"providerId": %s, "contractReference": "B%s-%d-%d", "contractAmountFen": 200, "voucherAmountFen": 100, "ownPaymentFen": 100}',
    provider, run, tid, sent)
  return wrk.format("POST", "/v1/vouchers/" .. number .. "/redemptions",
    { ["Authorization"] = firm, ["Content-Type"] = "application/json", ["Idempotency-Key"] = "r" .. run .. tid .. "-" .. sent }, body)
end

function response(status, headers, body)
  local id = body:match('"id":(%d+)')
  if status == 201 and id then
    table.insert(queue, wrk.format("POST", "/v1/redemptions/" .. id .. "/claim",
      { ["Authorization"] = lab, ["Content-Type"] = "application/json" }, '{"evidence": ["bench"]}'))
  elseif status == 200 and id and body:find('"status":"claimed"', 1, true) then
    table.insert(queue, wrk.format("POST", "/v1/redemptions/" .. id .. "/approve",
      { ["Authorization"] = bureau, ["Idempotency-Key"] = "a" .. id }))
  elseif status == 200 and body:find('"status":"approved"', 1, true) then
    approved = approved + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local total, failed = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("approved")
    failed = failed + thread:get("refused")
  end
  io.write(string.format("RESULT redemptions=%d seconds=%.3f per_second=%.1f requests=%d p50_ms=%.2f p99_ms=%.2f refused=%d\n",
    total, summary.duration / 1e6, total / (summary.duration / 1e6), summary.requests,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed))
end
