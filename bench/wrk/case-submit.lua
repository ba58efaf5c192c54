-- Scenario case-submit (see common.lua and docs/benchmarks.md).
package.path = os.getenv("CG_WRK_DIR") .. "/?.lua;" .. package.path
local C = require("common")
request = C.case_submit
done = C.report
