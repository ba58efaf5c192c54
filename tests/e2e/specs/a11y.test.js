// axe-core finds no serious or critical accessibility violations on the main pages.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { GRID_WORKER, WORKER, loginApi, loginConsole } from '../lib/auth.js'
import { formatViolations, seriousViolations } from '../lib/axe.js'
import { shot } from '../lib/screenshot.js'

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

async function expectClean(page, name) {
  await page.waitForLoadState('networkidle')
  await shot(page, `a11y-${name}`)
  const found = await seriousViolations(page)
  assert.equal(found.length, 0, `axe on ${name}:\n${formatViolations(found)}`)
  assert.deepEqual(cspViolations(page), [], `no CSP violations on ${name}`)
}

test('console sign-in page', async () => {
  const page = await newPage(browser, 'desktop')
  await page.goto('/login')
  await page.getByRole('button', { name: '登录' }).waitFor()
  await expectClean(page, 'login')
})

test('console home page', async () => {
  const page = await newPage(browser, 'desktop')
  await loginConsole(page)
  await page.locator('.stats').waitFor()
  await expectClean(page, 'home')
})

test('console residents page', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page)
  await page.goto('/console/residents')
  await page.locator('[data-test=residents-table] .el-table__body tr').first().waitFor()
  await expectClean(page, 'residents')
})

test('mobile sign-in page, normal and large text', async () => {
  const page = await newPage(browser, 'mobile')
  await page.goto('/m/login')
  await page.getByText('演示环境：验证码见服务器日志').waitFor()
  await expectClean(page, 'm-login')
  await page.locator('[data-test=elder-toggle]').click()
  assert.equal(await page.evaluate(() => localStorage.getItem('cg.elder')), '1', 'large-text mode is remembered')
  await expectClean(page, 'm-login-elder')
})

test('console org page', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page)
  await page.goto('/console/org')
  await page.locator('.org .el-descriptions').waitFor()
  await expectClean(page, 'org')
})

test('console audit page (platform admin)', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page, { username: 'admin', password: WORKER.password })
  await page.goto('/console/audit')
  await page.locator('.el-table__body tr').first().waitFor()
  const actions = await page.locator('.el-table__body tr td:nth-child(4)').allInnerTexts()
  for (const a of actions) assert.doesNotMatch(a, /^[a-z_]+\.[a-z_.]+$/, `audit action shown by name, not code: ${a}`)
  await expectClean(page, 'audit')
})

test('mobile grid page', async () => {
  const page = await newPage(browser, 'mobile')
  await loginApi(page, GRID_WORKER)
  await page.goto('/m/grid')
  await page.locator('.person').first().waitFor()
  await expectClean(page, 'm-grid')
})

test('console cases list and case detail', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page)
  await page.goto('/console/cases')
  const first = page.locator('[data-test=cases-table] .el-table__body tr').first()
  await first.waitFor()
  await expectClean(page, 'cases')
  await first.getByRole('link').click()
  await page.locator('[data-test=case-timeline]').waitFor()
  await expectClean(page, 'case')
})

test('mobile report, my cases and case pages', async () => {
  const page = await newPage(browser, 'mobile')
  await loginApi(page, GRID_WORKER)
  await page.goto('/m/report')
  await page.getByRole('button', { name: '提交' }).waitFor()
  await expectClean(page, 'm-report')
  await page.goto('/m/tasks')
  const first = page.locator('[role=article]').first()
  await first.waitFor()
  await expectClean(page, 'm-tasks')
  await page.goto('/m/my-cases')
  await page.locator('[role=article]').first().waitFor()
  await expectClean(page, 'm-my-cases')
  await page.locator('[role=article]').first().click()
  await page.locator('[data-test=m-case-status]').waitFor()
  await expectClean(page, 'm-case')
})
