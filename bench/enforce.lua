-- wrk script: POST /api/v1/enforce with 1 KB prompts (a few variants, some with
-- sensitive data so every branch of the default policy is exercised).
-- Usage: ASTRAL_KEY=ak_... wrk -t2 -c16 -d15s --latency -s bench/enforce.lua http://127.0.0.1:8080

local key = os.getenv("ASTRAL_KEY") or ""

local function prompt(seed)
  local parts = {
    "Summarise the quarterly report for the board and list the three largest risks. ",
    "Customer Jane Roe, email jane.roe@example.com, phone 415-555-0134, asked about her invoice. ",
    "Please draft a polite reply that explains the delay and proposes a new delivery date. ",
    "Card on file 4111 1111 1111 1111 should not appear in the answer. ",
  }
  local text = ""
  local i = seed
  while #text < 1024 do
    text = text .. parts[(i % #parts) + 1]
    i = i + 1
  end
  return string.sub(text, 1, 1024)
end

local bodies = {}
for seed = 0, 3 do
  bodies[#bodies + 1] = string.format(
    '{"surface":"api","actor":"bench@example.com","ai_provider":"openai","model":"gpt-4o","direction":"request","content":"%s","metadata":{"bench":true}}',
    prompt(seed))
end

local counter = 0
request = function()
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json"}
  if key ~= "" then headers["Authorization"] = "Bearer " .. key end
  return wrk.format("POST", "/api/v1/enforce", headers, bodies[(counter % #bodies) + 1])
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("rps=%.0f p50_ms=%.3f p99_ms=%.3f non200=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status))
end
