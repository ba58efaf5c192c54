-- The ceiling: nginx serving a file the size of a case-list response.
package.path = os.getenv("CG_WRK_DIR") .. "/?.lua;" .. package.path
local C = require("common")
done = C.report
