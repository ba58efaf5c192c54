// Live updates: the property company's handler has the console open; the community worker
// dispatches a case to him through the API; without a reload his bell counts it, a toast shows
// it, clicking the toast opens the case (and marks the notice read); a later change to the
// case shows on the open case page by itself.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, consoleErrors, cspViolations, launch, newPage } from '../lib/browser.js'
import { WORKER, apiGet, apiSend, loginApi, loginConsole } from '../lib/auth.js'
import { until } from '../lib/util.js'

const HANDLER = { username: 'wuye_handler', password: WORKER.password }

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

/** The number the bell's badge shows (0 when it is hidden). */
async function badgeCount(page) {
  const badge = page.locator('[data-test=notice-badge] .el-badge__content')
  if (!(await badge.isVisible())) return 0
  return Number((await badge.innerText()).replace(/\D/g, '')) || 0
}

test('a dispatch reaches the open console live: bell, toast, click to the case', async () => {
  // The community worker, signed in through the API, with a new case in her first grid.
  const desk = await newPage(browser, 'desktop')
  await loginApi(desk, WORKER)
  const { roots } = await apiGet(desk, '/areas/tree?depth=1')
  const grid = roots.find((n) => n.level === 'community').children.find((g) => g.level === 'grid')
  const staff = (await apiGet(desk, '/users')).items
  const handlerUser = staff.find((u) => u.username === HANDLER.username)
  assert.ok(grid && handlerUser, 'the worker has a grid and sees the handler')
  const title = `路灯不亮（实时测试 ${Date.now() % 100000}）`
  const created = await apiSend(desk, 'POST', '/cases', { title, category_id: 18, grid_id: grid.id })
  await apiSend(desk, 'POST', `/cases/${created.id}/actions`, { action: 'accept' })

  // The handler opens the console; the live stream is up before anything happens.
  const page = await newPage(browser, 'desktop')
  const streamOpen = page.waitForResponse((r) => r.url().includes('/api/v1/notifications/stream') && r.status() === 200, {
    timeout: 20_000,
  })
  await loginConsole(page, HANDLER)
  await streamOpen
  const bell = page.locator('[data-test=notice-bell]')
  await bell.waitFor()
  const { unread_count: before } = await apiGet(page, '/notifications?limit=1')
  await until(async () => (await badgeCount(page)) === before, { message: `the badge showing ${before}` })

  // The worker dispatches the case to him.
  await apiSend(desk, 'POST', `/cases/${created.id}/actions`, { action: 'dispatch', handler_user_id: handlerUser.id })

  // Without a reload: the badge goes up by one and a toast names the case.
  await until(async () => (await badgeCount(page)) === before + 1, { message: 'the badge counting the new notice' })
  assert.match(await bell.getAttribute('aria-label'), new RegExp(`${before + 1} 条未读`))
  const toast = page.locator('.cg-notice-toast', { hasText: created.number })
  await toast.waitFor()
  assert.match(await toast.innerText(), /工单派遣/, 'the kind is shown in Chinese')

  // The bell's list has it too, marked unread.
  await bell.click()
  const item = page.locator('[data-test=notice-list] .item.unread', { hasText: created.number })
  await item.waitFor()
  await bell.click() // close the list again
  await page.locator('[data-test=notice-list]').waitFor({ state: 'hidden' })

  // Clicking the toast opens the case and marks the notice read.
  await toast.click()
  await page.waitForURL(new RegExp(`/console/cases/${created.id}$`))
  await page.getByRole('heading', { name: title }).waitFor()
  await page.locator('[data-test=case-status]', { hasText: '已派遣' }).waitFor()
  await until(async () => (await badgeCount(page)) === before, { message: 'the badge back down after reading' })
  const { items } = await apiGet(page, '/notifications?limit=20')
  const notice = items.find((n) => n.subject_id === created.id && n.kind === 'case.dispatched')
  assert.ok(notice && notice.read_at, 'the server has the notice as read')

  assert.deepEqual(cspViolations(page), [], 'no CSP violations')
  assert.deepEqual(consoleErrors(page).filter((m) => m.startsWith('pageerror')), [], 'no script errors')
})

test('on the phone: a toast and the 我的消息 badge, the list opens the case', async () => {
  const desk = await newPage(browser, 'desktop')
  await loginApi(desk, WORKER)
  const { roots } = await apiGet(desk, '/areas/tree?depth=1')
  const grid = roots.find((n) => n.level === 'community').children.find((g) => g.level === 'grid')
  const handlerUser = (await apiGet(desk, '/users')).items.find((u) => u.username === HANDLER.username)
  const title = `井盖松动（实时测试 ${Date.now() % 100000}）`
  const created = await apiSend(desk, 'POST', '/cases', { title, category_id: 18, grid_id: grid.id })
  await apiSend(desk, 'POST', `/cases/${created.id}/actions`, { action: 'accept' })

  const phone = await newPage(browser, 'mobile')
  await loginApi(phone, HANDLER)
  const streamOpen = phone.waitForResponse((r) => r.url().includes('/api/v1/notifications/stream') && r.status() === 200, {
    timeout: 20_000,
  })
  await phone.goto('/m/me')
  await streamOpen
  const link = phone.locator('[data-test=m-notices-link]')
  await link.waitFor()
  const { unread_count: before } = await apiGet(phone, '/notifications?limit=1')

  await apiSend(desk, 'POST', `/cases/${created.id}/actions`, { action: 'dispatch', handler_user_id: handlerUser.id })
  await phone.locator('.cg-m-notice', { hasText: '工单派遣' }).waitFor()
  await link.locator('[data-test=m-notices-badge]', { hasText: String(before + 1) }).waitFor()

  await link.click()
  await phone.waitForURL(/\/m\/notifications$/)
  const item = phone.locator('[data-test=m-notice-list] .van-cell.unread', { hasText: created.number })
  await item.click()
  await phone.waitForURL(new RegExp(`/m/cases/${created.id}$`))
  await phone.locator('[data-test=m-case-status]', { hasText: '已派遣' }).waitFor()
  // Opening the notice marks it read (the request runs alongside the navigation).
  await until(async () => (await apiGet(phone, '/notifications?limit=1')).unread_count === before, { message: 'the notice read' })
  assert.deepEqual(cspViolations(phone), [], 'no CSP violations')
})
