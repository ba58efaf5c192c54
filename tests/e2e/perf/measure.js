// Repeatable measurement of the console's first load from a local server:
//   CIVICGRID_URL=http://127.0.0.1:8080 node tests/e2e/perf/measure.js [runs=7]
// Prints the median (and every run) of: /login form usable, and a signed-in cold /console
// until the home stat cards show numbers. Each run is a fresh browser context (empty cache).
import { assertServerUp, launch } from '../lib/browser.js'
import { homeReady, loginFormUsable, measure } from '../lib/perf.js'

const runs = Number(process.argv[2] ?? 7)
await assertServerUp()
const browser = await launch()
try {
  const login = await measure(browser, loginFormUsable, runs)
  const home = await measure(browser, homeReady, runs)
  console.log(JSON.stringify({ runs, login_form_usable: login, console_home_ready: home }, null, 2))
} finally {
  await browser.close()
}
