-- wrk script: each connection waits DELAY_MS between its requests, so that the whole
-- run offers a fixed rate (connections × 1000 / DELAY_MS requests per second) and the
-- latency is measured below the route's maximum. HEADER is sent on every request.
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local header = os.getenv("HEADER")
if header and header ~= "" then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

function delay()
  return delay_ms
end
