-- Scenario case-actions: accept → dispatch → start → handle → verify on
-- existing cases (see common.lua and docs/benchmarks.md).
package.path = os.getenv("CG_WRK_DIR") .. "/?.lua;" .. package.path
local C = require("common")
request = C.case_action
response = function(status, headers, body) C.on_case_response(status, body) end
done = C.report
