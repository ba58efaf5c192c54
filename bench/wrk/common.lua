-- Shared by every scenario: the fixtures bench/run wrote for this run (tokens,
-- grids, categories, search terms, cases to act on) and request builders.
-- Each wrk thread has its own Lua state, so the counters here are per thread.
local M = {}
M.F = dofile(os.getenv("CG_FIXTURES"))
-- LuaJIT starts every state with the same sequence; CG_RUN_TAG differs per
-- wrk run, so keys stay unique across warm-up and repeats.
local run_tag = os.getenv("CG_RUN_TAG") or tostring(os.time())
math.randomseed(tonumber(run_tag:sub(-9)) or os.time())

local counter = 0
local thread_tag = run_tag .. "-" .. tostring(math.random(1, 1e9))

function M.pick(list)
  return list[math.random(1, #list)]
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function auth_headers(token, body)
  local h = { ["Authorization"] = "Bearer " .. token }
  if body then h["Content-Type"] = "application/json" end
  return h
end

-- A hotline report filed by a community worker for one of their grids, with a
-- unique Idempotency-Key, as a phone app or the 12345 bridge sends it.
function M.case_submit()
  counter = counter + 1
  local office = M.pick(M.F.offices)
  local sample = M.pick(M.F.samples)
  local body = string.format(
    '{"title":"%s","description":"%s","category_id":%d,"grid_id":%d,"source":"hotline_12345",' ..
    '"reporter_name":"%s","reporter_phone":"139%08d","address":"%d幢%d单元"}',
    sample.title, sample.description, sample.category_id, M.pick(office.grids),
    M.pick(M.F.reporters), math.random(0, 99999999), math.random(1, 40), math.random(1, 4))
  local h = auth_headers(office.token, true)
  h["Idempotency-Key"] = "bench-" .. thread_tag .. "-" .. counter
  return wrk.format("POST", "/api/v1/cases", h, body)
end

-- A grid worker's open cases in their grids, newest first, 20 a page.
local open_statuses = { "reported", "accepted", "dispatched", "in_progress" }
function M.case_list()
  local worker = M.pick(M.F.grid_workers)
  local path = "/api/v1/cases?mine=true&limit=20&status=" .. M.pick(open_statuses)
  return wrk.format("GET", path, auth_headers(worker.token))
end

-- A community worker looks someone up by name, phone or ID number.
function M.resident_search()
  local office = M.pick(M.F.offices)
  local r = math.random()
  local q
  if r < 0.6 then q = M.pick(office.names)
  elseif r < 0.8 then q = M.pick(office.phones)
  else q = M.pick(office.id_numbers) end
  return wrk.format("GET", "/api/v1/residents?limit=20&q=" .. urlencode(q), auth_headers(office.token))
end

-- Street admins open their street's indicators; the district head the district's.
function M.case_stats()
  local viewer = M.pick(M.F.stats_viewers)
  local path = "/api/v1/stats/cases"
  if viewer.area then path = path .. "?area=" .. viewer.area end
  return wrk.format("GET", path, auth_headers(viewer.token))
end

-- case-actions: each case walks accept → dispatch → start → handle → verify.
-- The next step of a case is known only from the response to its last one,
-- so responses feed a queue of ready steps. When the pool of fresh cases is
-- used up, verification fails (rework) and the case goes round again, so the
-- run never runs dry.
local next_action = {
  reported = "accept", accepted = "dispatch", dispatched = "start",
  in_progress = "handle", handled = "verify",
}
local ready = {}      -- {case_id, action}
local fresh = 1       -- next unused case of the pool
local pool = {}
-- CG_SLICE "k/n": this wrk run (warm-up and repeats each count as one) takes
-- the k-th of n equal parts of the pool, so no run re-accepts a case an
-- earlier run already moved on.
local function shuffle_pool()
  local k, n = (os.getenv("CG_SLICE") or "0/1"):match("(%d+)/(%d+)")
  k, n = tonumber(k), tonumber(n)
  local all = M.F.action_cases
  local size = math.floor(#all / n)
  for i = k * size + 1, (k + 1) * size do pool[#pool + 1] = all[i] end
  for i = #pool, 2, -1 do
    local j = math.random(1, i)
    pool[i], pool[j] = pool[j], pool[i]
  end
end
shuffle_pool()

function M.case_action()
  local step = table.remove(ready)
  if not step then
    if fresh > #pool then return M.case_list() end  -- every case in flight: read meanwhile
    step = { pool[fresh], "accept" }
    fresh = fresh + 1
  end
  local id, action = step[1], step[2]
  local body
  if action == "dispatch" then
    body = '{"action":"dispatch","note":"请按时限处置并反馈"}'
  elseif action == "handle" then
    body = '{"action":"handle","note":"已到现场处置完毕","photo_ids":["' .. M.F.after_photo .. '"]}'
  elseif action == "verify" then
    body = '{"action":"verify","passed":' .. tostring(fresh <= #pool) .. '}'
  else
    body = '{"action":"' .. action .. '"}'
  end
  return wrk.format("POST", "/api/v1/cases/" .. id .. "/actions",
                    auth_headers(M.F.action_token, true), body)
end

-- Reads a CaseDetail response (an action's or a new case's) and queues the
-- case's next step.
function M.on_case_response(status, body)
  if status ~= 200 and status ~= 201 then return end
  local id = body:match('^{"id":(%d+)')
  local st = body:match('"status":"([%a_]+)"')
  local action = st and next_action[st]
  if id and action then ready[#ready + 1] = { tonumber(id), action } end
end

-- Prints one machine-readable line for bench/run.
function M.report(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'CGRESULT {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,' ..
    '"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end

return M
