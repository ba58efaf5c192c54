-- Scenario volunteer-checkin (see common.lua and docs/benchmarks.md): a street
-- campaign's volunteers arrive at the venue and scan the organizer's QR code,
-- all at once. bench/run opened a new activity for this run, signed every
-- volunteer up and put its current QR token in the fixtures. Each volunteer
-- scans once (a token is good for one scan per volunteer), so the run is a
-- burst: when every volunteer has scanned the threads stop, and the rate is
-- the scans over the time the connections were busy with them (Little's law:
-- scans × mean latency ÷ connections), not over wrk's whole -d.
package.path = os.getenv("CG_WRK_DIR") .. "/?.lua;" .. package.path
local C = require("common")
local F = C.F.checkin

local threads = {}
function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

scans = 0           -- answered check-ins of this thread (read by done() through thread:get)
local stride = tonumber(os.getenv("CG_THREADS")) or 1
local cursor = nil  -- thread k of n takes volunteers k+1, k+1+n, …

function request()
  cursor = cursor and cursor + stride or index + 1
  local token = F.volunteers[cursor]
  if not token then
    -- Every volunteer has scanned: stop; until the loop ends, the few
    -- connections still open read the activity (not counted as scans).
    wrk.thread:stop()
    return wrk.format("GET", "/api/v1/volunteer-activities/" .. F.activity,
                      { ["Authorization"] = "Bearer " .. F.volunteers[1] })
  end
  local body = string.format('{"token":"%s","lat":%.6f,"lng":%.6f}', F.qr,
                             F.lat + (math.random() - 0.5) * 0.0005,
                             F.lng + (math.random() - 0.5) * 0.0005)
  return wrk.format("POST", "/api/v1/volunteer-activities/" .. F.activity .. "/scan",
                    { ["Authorization"] = "Bearer " .. token,
                      ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 200 and body:find('"direction":"in"', 1, true) then scans = scans + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("scans") or 0) end
  local connections = tonumber(os.getenv("CG_CONNECTIONS")) or 1
  summary.duration = math.floor(total * latency.mean / connections)
  summary.requests = total
  C.report(summary, latency)
end
