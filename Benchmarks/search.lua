-- wrk script of the search benchmark: mixed Chinese queries and filters on GET /v1/listings,
-- one after another on each connection, or, with STATIC=1 in the environment, the static GET /v1
-- as the baseline; done() prints one machine-readable line for scripts/bench-search.
local paths = {
  "/v1/listings?q=%E9%81%A5%E6%84%9F",
  "/v1/listings?q=%E6%97%A0%E4%BA%BA%E6%9C%BA%20%E7%BE%A4%E6%8E%A7",
  "/v1/listings?q=%E5%AE%A4%E5%86%85%E5%AE%9A%E4%BD%8D",
  "/v1/listings?q=%E9%95%81%E5%90%88%E9%87%91&sort=price_asc",
  "/v1/listings?q=%E4%B8%89%E7%BB%B4%E5%BB%BA%E6%A8%A1&field=geographic_information",
  "/v1/listings?q=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF&trlMin=5",
  "/v1/listings?q=%E6%B6%A1%E8%BD%AE",
  "/v1/listings?q=%E6%99%BA%E8%83%BD%E5%AE%B6%E5%B1%85&negotiable=false",
  "/v1/listings?q=%E5%8D%AB%E6%98%9F%E9%81%A5%E6%84%9F%E5%BD%B1%E5%83%8F",
  "/v1/listings?q=UWB",
  "/v1/listings?q=%E6%9C%A8%E5%9F%BA%20%E8%A3%85%E9%A5%B0",
  "/v1/listings?q=%E5%80%BE%E6%96%9C%E6%91%84%E5%BD%B1&trlMin=4&trlMax=8",
  "/v1/listings?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD&priceMax=500000000",
  "/v1/listings?q=%E4%BC%A0%E6%84%9F%E5%99%A8&mode=licence_non_exclusive",
  "/v1/listings?q=%E6%A3%80%E6%B5%8B&sort=newest",
  "/v1/listings?q=%E5%AE%9A%E4%BD%8D%20%E7%B2%BE%E5%BA%A6",
  "/v1/listings?q=%E6%8A%97%E4%BD%93",
  "/v1/listings?q=%E6%97%A0%E4%BA%BA%E6%9C%BA&region=330521",
  "/v1/listings?q=%E6%9D%90%E6%96%99&field=new_materials&sort=price_desc",
  "/v1/listings?q=%E7%AE%97%E6%B3%95&limit=50",
  "/v1/listings?field=artificial_intelligence&trlMin=6",
  "/v1/listings?field=life_health&sort=price_asc",
  "/v1/listings?region=330500&sort=newest",
  "/v1/listings?q=%E9%80%9A%E7%94%A8%E8%88%AA%E7%A9%BA",
  "/v1/listings?q=GIS",
  "/v1/listings?q=%E7%94%B5%E6%B1%A0",
  "/v1/listings?q=%E6%9C%BA%E5%99%A8%E4%BA%BA%20%E8%A7%86%E8%A7%89",
  "/v1/listings?q=%E5%BD%B1%E5%83%8F%E8%A7%A3%E8%AF%91&negotiable=true",
}
local counter = 0

local static = os.getenv("STATIC") == "1"

request = function()
  if static then return wrk.format("GET", "/v1") end
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
