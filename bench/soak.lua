-- wrk script for the soak (bench/soak.sh): a mixed workload of the three kinds of user.
-- TOKENS_FILE: one ambassador token per line (all of one institution); COORDINATOR and
-- LEADERSHIP: that institution's coordinator and leadership tokens; BRIEFS_FILE: one
-- brief id per line (the soak's own briefs of this week, so every slot is fresh).
-- Out of every 50 requests:
--   ambassadors browsing   20  their home, their progress, the board (pages, by cookie)
--                           8  this week's briefs and "my rank" (API)
--   ambassadors posting     3  POST /api/v1/submissions, a slot no one has used
--   coordinators            3  verify a post submitted on this thread (else the queue page)
--                           4  the board and the verification queue (pages)
--   leadership              8  the statistics page and API, the weeks chart data
--                           2  exports (weeks.csv, participation.xlsx)
--   public                  2  the login page
-- OFFSET (env) is where this run's slot numbers start; DELAY_MS paces each connection.
-- done() prints "statuses …" and "next_offset N".
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local offset = tonumber(os.getenv("OFFSET") or "0")
local nthreads = tonumber(os.getenv("THREADS") or "2")
local leadership = os.getenv("LEADERSHIP")
local coordinator = os.getenv("COORDINATOR")
local amb, briefs = {}, {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if line ~= "" then amb[#amb + 1] = line end
end
for line in io.lines(os.getenv("BRIEFS_FILE")) do
  if line ~= "" then briefs[#briefs + 1] = line end
end

local threads = {}
codes, n, posted, kmax = {}, 0, 0, -1
local tid = 0
-- Posts answered 201 on this thread, waiting for the coordinator. (wrk's response()
-- does not say which request it answers; the only 201s in the mix are new posts.)
local queue = {}

function setup(thread)
  thread:set("thread_id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  tid = tonumber(thread_id) or 0
end

function delay()
  return delay_ms
end

local function get(path, header, value)
  local h = {}
  if header then h[header] = value end
  return wrk.format("GET", path, h)
end

local function cookie(token) return "duta_session=" .. token end

request = function()
  n = n + 1
  local slot = n % 50
  local a = (n * 7 + tid) % #amb + 1
  if slot < 20 then
    local pages = { "/", "/progress", "/leaderboard" }
    return get(pages[slot % 3 + 1], "Cookie", cookie(amb[a]))
  elseif slot < 28 then
    local paths = { "/api/v1/briefs/current", "/api/v1/leaderboard/me" }
    return get(paths[slot % 2 + 1], "Authorization", "Bearer " .. amb[a])
  elseif slot < 31 then
    -- A slot number unique across threads and runs: this thread's posts interleaved.
    local k = offset + posted * nthreads + tid
    posted = posted + 1
    if k > kmax then kmax = k end
    local who = k % #amb + 1
    local which = math.floor(k / #amb) % #briefs + 1
    local platforms = { "instagram", "facebook", "x" }
    local p = platforms[math.floor(k / (#amb * #briefs)) % 3 + 1]
    local url
    if p == "x" then
      url = string.format("https://x.com/soak/status/18%017d", k)
    elseif p == "instagram" then
      url = string.format("https://www.instagram.com/p/S%014d/", k)
    else
      url = string.format("https://www.facebook.com/soak/posts/%d", 700000000 + k)
    end
    local body = string.format(
      '{"brief_id":%s,"platform":"%s","url":"%s","posted_at":"%s","likes":5}',
      briefs[which], p, url, os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 120))
    return wrk.format("POST", "/api/v1/submissions",
      { ["Authorization"] = "Bearer " .. amb[who], ["Content-Type"] = "application/json" }, body)
  elseif slot < 34 then
    local id = table.remove(queue, 1)
    if id then
      return wrk.format("POST", "/api/v1/submissions/" .. id .. "/verify",
        { ["Authorization"] = "Bearer " .. coordinator, ["Content-Type"] = "application/json" }, "{}")
    end
    return get("/submissions", "Cookie", cookie(coordinator))
  elseif slot < 38 then
    local pages = { "/leaderboard", "/submissions" }
    return get(pages[slot % 2 + 1], "Cookie", cookie(coordinator))
  elseif slot < 46 then
    local pages = { "/stats", "/stats?weeks=12" }
    local api = { "/api/v1/stats/participation", "/api/v1/stats/participation?weeks=4" }
    if slot % 4 < 2 then
      return get(pages[slot % 2 + 1], "Cookie", cookie(leadership))
    end
    return get(api[slot % 2 + 1], "Authorization", "Bearer " .. leadership)
  elseif slot < 48 then
    local files = { "/stats/export/weeks.csv", "/stats/export/participation.xlsx" }
    return get(files[slot % 2 + 1], "Cookie", cookie(leadership))
  end
  return get("/login")
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status == 201 then
    local id = body:match('"id":(%d+)')
    if id then table.insert(queue, id) end
  end
end

function done(summary, latency, requests)
  local all, top = {}, -1
  for _, t in ipairs(threads) do
    for status, c in pairs(t:get("codes")) do all[status] = (all[status] or 0) + c end
    local k = t:get("kmax")
    if k and k > top then top = k end
  end
  local keys = {}
  for status in pairs(all) do keys[#keys + 1] = status end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do parts[#parts + 1] = status .. ":" .. all[status] end
  io.write("statuses " .. table.concat(parts, " ") .. "\n")
  io.write("next_offset " .. math.max(top + 1, offset) .. "\n")
end
