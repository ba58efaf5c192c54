-- Scenario resident-search (see common.lua and docs/benchmarks.md).
package.path = os.getenv("CG_WRK_DIR") .. "/?.lua;" .. package.path
local C = require("common")
request = C.resident_search
done = C.report
