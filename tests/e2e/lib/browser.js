// Launches Debian's chromium through playwright-core (no browser download) and opens pages
// at desktop or phone size. Every page records console errors and CSP violations so a spec
// can assert that the UI runs under the server's strict Content-Security-Policy.
import { chromium } from 'playwright-core'

export const BASE_URL = (process.env.CIVICGRID_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '')

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const VIEWPORTS = {
  desktop: { viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 },
  mobile: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
}

/** @returns {Promise<import('playwright-core').Browser>} */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  })
}

const kinds = new WeakMap()
const problems = new WeakMap()

/**
 * A fresh context (own cookies) and page.
 * @param {import('playwright-core').Browser} browser
 * @param {'desktop'|'mobile'} kind
 */
export async function newPage(browser, kind = 'desktop', { locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({ ...VIEWPORTS[kind], baseURL: BASE_URL, locale })
  // Start every test in Chinese regardless of what an earlier run stored.
  await context.addInitScript(() => {
    try {
      localStorage.setItem('cg.locale', 'zh-CN')
    } catch {
      /* opaque origins have no storage */
    }
  })
  const page = await context.newPage()
  page.setDefaultTimeout(Number(process.env.CIVICGRID_E2E_TIMEOUT ?? 10_000))
  const seen = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.push(msg.text())
  })
  page.on('pageerror', (err) => seen.push(`pageerror: ${err.message}`))
  kinds.set(page, kind)
  problems.set(page, seen)
  return page
}

export const kindOf = (page) => kinds.get(page) ?? 'desktop'

/** Console errors that mention the CSP: any of these means the build broke the policy. */
export function cspViolations(page) {
  return (problems.get(page) ?? []).filter((m) => /Content Security Policy/i.test(m))
}

export function consoleErrors(page) {
  return [...(problems.get(page) ?? [])]
}

/** Fails fast with a readable message when the server is not up. */
export async function assertServerUp() {
  try {
    const res = await fetch(`${BASE_URL}/api/v1/me`)
    if (![200, 401].includes(res.status)) throw new Error(`status ${res.status}`)
  } catch (e) {
    throw new Error(`CivicGrid is not reachable at ${BASE_URL} (set CIVICGRID_URL): ${e.message}`)
  }
}
