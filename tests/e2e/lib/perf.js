// Cold-load timings of the console, measured inside the page with the Performance API.
// Each run uses a fresh browser context (empty cache, no session), as a first visit would.
import { newPage } from './browser.js'
import { WORKER, loginApi } from './auth.js'

/** /login until the sign-in form can be typed into; returns ms since navigation start and bytes. */
export async function loginFormUsable(browser) {
  const page = await newPage(browser, 'desktop')
  try {
    await page.goto('/login', { waitUntil: 'commit' })
    await page.getByLabel('用户名').waitFor({ state: 'visible' })
    await page.getByRole('button', { name: '登录' }).waitFor()
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      const res = performance.getEntriesByType('resource')
      return {
        ms: performance.now(),
        ttfb: nav.responseStart,
        bytes: res.reduce((s, r) => s + (r.transferSize || 0), 0) + (nav.transferSize || 0),
        fontBytes: res.filter((r) => /\.woff2?$/.test(r.name)).reduce((s, r) => s + (r.transferSize || 0), 0),
      }
    })
  } finally {
    await page.context().close()
  }
}

/** A signed-in user opening /console cold until the home page's stat cards show numbers. */
export async function homeReady(browser, user = WORKER) {
  const page = await newPage(browser, 'desktop')
  try {
    await loginApi(page, user)
    await page.goto('/console', { waitUntil: 'commit' })
    await page.waitForFunction(() => {
      const s = document.querySelector('.stats')
      return s && s.querySelectorAll('.stat .num').length >= 4 && /\d/.test(s.textContent)
    })
    return await page.evaluate(() => ({ ms: performance.now() }))
  } finally {
    await page.context().close()
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Runs fn `runs` times after one warm-up of the server, returns the figures and their medians. */
export async function measure(browser, fn, runs) {
  await fn(browser) // the server's first answers (page cache, SQLite pages) are not what we measure
  const all = []
  for (let i = 0; i < runs; i++) all.push(await fn(browser))
  const keys = Object.keys(all[0])
  return Object.fromEntries(keys.map((k) => [k, { median: Math.round(median(all.map((r) => r[k]))), runs: all.map((r) => Math.round(r[k])) }]))
}
