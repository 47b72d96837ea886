-- wrk script for deploy/drill.py: GETs with the header in HEADER (e.g. a session cookie),
-- each connection waiting DELAY_MS between its requests (0: as fast as it can), counting
-- the answers by status; at the end one line the drill parses:
--   drill requests=N errors_connect=… errors_read=… errors_write=… errors_timeout=…
--         latency_max_us=… latency_p99_us=… statuses=200:N,502:M
local header = os.getenv("HEADER")
if header then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local threads = {}
codes = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function delay()
  return delay_ms
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("codes")) do
      all[status] = (all[status] or 0) + n
    end
  end
  local keys = {}
  for status in pairs(all) do keys[#keys + 1] = status end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do parts[#parts + 1] = status .. ":" .. all[status] end
  local e = summary.errors
  io.write(string.format(
    "drill requests=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d " ..
    "latency_max_us=%d latency_p99_us=%d statuses=%s\n",
    summary.requests, e.connect, e.read, e.write, e.timeout,
    latency.max, latency:percentile(99), table.concat(parts, ",")))
end
