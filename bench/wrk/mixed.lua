-- Scenario mixed: a working day's proportions — mostly grid workers reading
-- their lists, then searches, new reports, case actions and indicators.
-- New cases feed the action queue, as they would in the office.
package.path = os.getenv("CG_WRK_DIR") .. "/?.lua;" .. package.path
local C = require("common")
local mix = {
  { 0.45, C.case_list }, { 0.20, C.resident_search }, { 0.15, C.case_submit },
  { 0.15, C.case_action }, { 0.05, C.case_stats },
}
request = function()
  local r = math.random()
  for _, m in ipairs(mix) do
    if r < m[1] then return m[2]() end
    r = r - m[1]
  end
  return C.case_list()
end
response = function(status, headers, body) C.on_case_response(status, body) end
done = C.report
