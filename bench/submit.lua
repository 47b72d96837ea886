-- wrk script: every request is a new post submitted by one of the signed-in bench
-- ambassadors (tokens in TOKENS_FILE, one "ambassador_number token" per line), for a
-- brief of their institution from the last WEEKS weeks, on x, instagram or facebook,
-- with a URL no one has submitted yet (RUN, a number unique to the run, keeps URLs of
-- different runs apart). posted_at is an hour ago, which lies inside the week of every
-- such brief. At the end it prints how many answers had each status code.
local weeks = tonumber(os.getenv("WEEKS") or "52")
local per_week = 10
local posted_at = os.getenv("POSTED_AT")
local tokens, ambs = {}, {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  local a, t = line:match("^(%d+) (%S+)$")
  if a then
    ambs[#ambs + 1] = tonumber(a)
    tokens[#tokens + 1] = t
  end
end
local platforms = { "x", "instagram", "facebook" }
-- BRIEFS_FILE (optional): "institution brief_id" per line, briefs made for this run; each
-- ambassador then takes (brief, platform) slots of their institution's briefs in turn,
-- so no post lands on a slot that is taken.
local fresh = {}
local briefs_file = os.getenv("BRIEFS_FILE")
if briefs_file and briefs_file ~= "" then
  for line in io.lines(briefs_file) do
    local i, b = line:match("^(%d+) (%d+)$")
    if i then
      i = tonumber(i)
      fresh[i] = fresh[i] or {}
      fresh[i][#fresh[i] + 1] = tonumber(b)
    end
  end
end
local run = tonumber(os.getenv("RUN") or "0") % 100000
local nthreads = tonumber(os.getenv("THREADS") or "2")
local counter = 0
local tid = 0
local threads = {}
codes = {}

function setup(thread)
  thread:set("thread_id", #threads)
  threads[#threads + 1] = thread
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
  io.write("statuses " .. table.concat(parts, " ") .. "\n")
end

function init(args)
  tid = tonumber(thread_id) or 0
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  -- A number unique across threads: this thread's counter, interleaved with the others.
  local g = counter * nthreads + tid
  local u = run * 100000000 + g
  counter = counter + 1
  local i = g % #tokens
  local c = math.floor(g / #tokens)
  local amb = ambs[i + 1]
  -- The bench seed puts ambassador a in institution ((a - 1) % 200) // 20 + 1.
  local inst = math.floor(((amb - 1) % 200) / 20) + 1
  local platform = platforms[(c % 3) + 1]
  local k = math.floor(c / 3) % per_week
  local w = weeks - 1 - (math.floor(c / 30) % weeks)
  local brief = (inst - 1) * weeks * per_week + w * per_week + k + 1
  if fresh[inst] then
    local own = fresh[inst]
    brief = own[(math.floor(c / 3) % #own) + 1]
  end
  local url
  if platform == "x" then
    -- Built as text: 1.9e18 + u is past what a Lua number (a double) holds exactly.
    url = string.format("https://x.com/benchload/status/19%017d", u)
  elseif platform == "instagram" then
    url = string.format("https://www.instagram.com/p/L%014d/", u)
  else
    url = string.format("https://www.facebook.com/benchload/posts/%d", u)
  end
  local body = string.format(
    '{"brief_id":%d,"platform":"%s","url":"%s","posted_at":"%s","likes":12}',
    brief, platform, url, posted_at)
  wrk.headers["Authorization"] = "Bearer " .. tokens[i + 1]
  return wrk.format(nil, nil, nil, body)
end
