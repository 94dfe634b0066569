-- wrk script of bench/verify.sh: each thread sends its own slice of pre-signed tokens (a token
-- is accepted once) to the URL's path, counts how the calls were answered (verdicts, invalid
-- queries, passed connection tests), and stops when its slice is spent.
-- Arguments: TOKENS_FILE THREADS [DELAY_MS]. DELAY_MS paces each connection (closed loop).
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local every = tonumber(args[2])
  pace = tonumber(args[3] or "0")
  tokens, next_token = {}, 0
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % every == id - 1 then
      tokens[#tokens + 1] = line
    end
    line_number = line_number + 1
  end
  match, mismatch, invalid, tested, other = 0, 0, 0, 0, 0
end

function request()
  next_token = next_token + 1
  local token = tokens[next_token]
  if token == nil then
    wrk.thread:stop()
    token = "spent"
  end
  return wrk.format("GET", wrk.path, { Authorization = "Bearer " .. token })
end

function delay()
  return pace
end

function response(status, headers, body)
  local verdict = body:match('"checkIdCardApply":"(%d)"')
  if verdict == "1" then
    match = match + 1
  elseif verdict == "2" or verdict == "3" or verdict == "4" then
    mismatch = mismatch + 1
  elseif body:find('"RS3822"', 1, true) then
    invalid = invalid + 1
  elseif body:find('"HJ2000"', 1, true) then
    tested = tested + 1
  elseif next_token <= #tokens then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = { match = 0, mismatch = 0, invalid = 0, tested = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT answered=%d seconds=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f match=%d mismatch=%d invalid=%d tested=%d other=%d errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    totals.match, totals.mismatch, totals.invalid, totals.tested, totals.other,
    -- Not summary.errors.status: the malformed 5% are answered 400 on purpose.
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
