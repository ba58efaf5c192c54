// Sign-in helpers: through the UI (what a user does) or through the API (fast set-up).
import { BASE_URL } from './browser.js'
import { logSize, smsCodeAfter, smsCooldown, until } from './util.js'

export const WORKER = {
  username: process.env.CIVICGRID_E2E_USER ?? 'bachang_worker',
  password: process.env.CIVICGRID_E2E_PASSWORD ?? 'Demo@2026cg',
}
export const GRID_WORKER = {
  username: process.env.CIVICGRID_E2E_GRID_USER ?? 'bachang_grid1',
  password: process.env.CIVICGRID_E2E_GRID_PASSWORD ?? process.env.CIVICGRID_E2E_PASSWORD ?? 'Demo@2026cg',
}

/** Fills the console sign-in form and waits for the console shell. */
export async function loginConsole(page, { username, password } = WORKER) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL(/\/console/)
  await page.locator('.top').waitFor()
}

/** Signs the page's browser context in through POST /api/v1/auth/login; returns the /me user. */
export async function loginApi(page, { username, password } = WORKER) {
  const res = await page.request.post(`${BASE_URL}/api/v1/auth/login`, { data: { username, password } })
  if (!res.ok()) throw new Error(`login as ${username} failed: ${res.status()} ${await res.text()}`)
  const body = await res.json()
  csrf.set(page.context(), body.csrf_token)
  return body.user
}

const csrf = new WeakMap()

/** A write through the API with the page's cookies and CSRF token (set-up and clean-up only). */
export async function apiSend(page, method, path, data) {
  const res = await page.request.fetch(`${BASE_URL}/api/v1${path}`, {
    method,
    data,
    headers: { 'X-CSRF-Token': csrf.get(page.context()) ?? '' },
  })
  if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`)
  return res.status() === 204 ? null : res.json()
}

/** GET helper that shares the page's cookies. */
export async function apiGet(page, path) {
  const res = await page.request.get(`${BASE_URL}/api/v1${path}`)
  if (!res.ok()) throw new Error(`GET ${path}: ${res.status()} ${await res.text()}`)
  return res.json()
}

/** The demo resident who reports problems on the phone. */
export const RESIDENT_PHONE = process.env.CIVICGRID_E2E_RESIDENT_PHONE ?? '13951300001'

/** Signs the resident in on the phone page with an SMS code read from the server log. */
export async function residentSignIn(page, t) {
  const wait = smsCooldown(RESIDENT_PHONE)
  if (wait) {
    t.diagnostic(`waiting ${Math.ceil(wait / 1000)} s for the SMS cool-down`)
    await new Promise((r) => setTimeout(r, wait))
  }
  await page.goto('/m/login')
  await page.getByLabel('手机号').fill(RESIDENT_PHONE)
  const from = logSize()
  await page.getByRole('button', { name: '获取验证码' }).click()
  const code = await until(() => smsCodeAfter(RESIDENT_PHONE, from), { message: 'the SMS code in the server log' })
  await page.getByLabel('验证码').fill(code)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL(/\/m\/me$/)
}
