// Where the time of a cold signed-in /console goes: every request's start and end, in ms since
// navigation start, plus when the home numbers showed. Diagnostic, not a test:
//   CIVICGRID_URL=http://127.0.0.1:8080 node perf/trace-home.mjs [path=/console]
import { launch, newPage } from '../lib/browser.js'
import { loginApi } from '../lib/auth.js'

const path = process.argv[2] ?? '/console'
const browser = await launch()
try {
  for (let i = 0; i < 2; i++) {
    const page = await newPage(browser, 'desktop')
    if (path !== '/login') await loginApi(page)
    await page.goto(path, { waitUntil: 'commit' })
    if (path === '/login') await page.getByLabel('用户名').waitFor()
    else await page.waitForFunction(() => {
      const s = document.querySelector('.stats')
      return s && s.querySelectorAll('.stat .num').length >= 4 && /\d/.test(s.textContent)
    })
    const t = await page.evaluate(() => ({
      ready: performance.now(),
      dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      res: performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseEnd), r.transferSize]),
    }))
    if (i === 1) {
      console.log(`ready ${Math.round(t.ready)} ms, DOMContentLoaded ${Math.round(t.dcl)} ms`)
      for (const [n, s, e, b] of t.res.sort((a, b) => a[1] - b[1])) console.log(`${String(s).padStart(5)} ${String(e).padStart(5)} ${String(b).padStart(7)}  ${n}`)
    }
    await page.context().close()
  }
} finally {
  await browser.close()
}
