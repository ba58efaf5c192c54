// 民情工单, clicked through by everyone who touches a case: the charging-pile story.
// A resident reports on the phone; the community worker accepts and dispatches to the property
// company in the console; the handler starts and reports back; the grid worker verifies on the
// phone; the community worker closes; the resident rates 满意 and sees it 已办结.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { GRID_WORKER, WORKER, apiGet, apiSend, loginApi, loginConsole, residentSignIn } from '../lib/auth.js'
import { PHOTO } from '../lib/photo.js'
import { shot } from '../lib/screenshot.js'
import { until } from '../lib/util.js'

const HANDLER = { username: 'wuye_handler', password: WORKER.password }
const WORDS = '单元门口电动车充电桩坏了'

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())


/** Clicks an action button on the console case page, fills the form, submits, waits for the new status. */
async function consoleAct(page, action, status, fill) {
  await page.locator('[data-test=case-actions]').getByRole('button', { name: action, exact: true }).click()
  const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=case-action-form]') })
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await dialog.locator('[data-test=case-action-submit]').click()
  await page.locator('[data-test=case-status]', { hasText: status }).waitFor()
  await dialog.waitFor({ state: 'hidden' })
}

test('the charging-pile story, from the resident\'s phone to 已办结 / 满意', async (t) => {
  // 1. The resident reports on the phone and sees the case number.
  const phone = await newPage(browser, 'mobile')
  await residentSignIn(phone, t)
  await phone.getByText('我要反映').click()
  await phone.waitForURL(/\/m\/report$/)
  await phone.getByLabel('问题类别').click()
  const cascader = phone.locator('.van-cascader')
  await cascader.getByText('公用设施', { exact: true }).click()
  await cascader.getByText('电动车充电桩', { exact: true }).click()
  await until(async () => (await phone.getByLabel('问题类别').inputValue()) === '公用设施 / 电动车充电桩', { message: 'the chosen category' })
  await phone.getByLabel('问题描述').fill(WORDS)
  await phone.locator('.van-cascader').waitFor({ state: 'hidden' })
  // A photo from the phone goes with the report.
  await phone.locator('[data-test=m-photo-input] input[type=file]').setInputFiles(PHOTO)
  await until(async () => (await phone.locator('.m-photos .thumb').count()) === 1 && (await phone.locator('.m-photos .state').count()) === 0, { message: 'the photo uploaded' })
  await shot(phone, 'm-report')
  const posted = phone.waitForRequest((r) => r.url().endsWith('/api/v1/cases') && r.method() === 'POST')
  await phone.getByRole('button', { name: '提交' }).click()
  const req = await posted
  assert.match(req.headers()['idempotency-key'] ?? '', /^[0-9a-f-]{36}$/, 'the report carries an Idempotency-Key')
  const numberEl = phone.locator('[data-test=case-number]')
  await numberEl.waitFor()
  const number = (await numberEl.innerText()).trim()
  assert.match(number, /^MQ\d{8}-\d{4}$/, 'the resident sees the case number')

  // 2. The community worker finds it in the console, accepts it and dispatches it to the property company.
  const desk = await newPage(browser, 'desktop')
  await loginConsole(desk, WORKER)
  await desk.locator('.menu').getByText('民情工单').click()
  // The list keeps the chosen area in the URL (?area=) once the org tree has loaded.
  await desk.waitForURL(/\/console\/cases(\?area=\d+)?$/)
  await desk.getByRole('search').getByLabel('搜索标题 / 描述').fill('充电桩')
  await desk.getByRole('search').getByRole('button', { name: '搜索' }).click()
  const row = desk.locator('[data-test=cases-table] .el-table__body tr', { hasText: number })
  await row.waitFor()
  const rowText = await row.innerText()
  assert.match(rowText, /电动车充电桩/, 'the row shows the category')
  assert.match(rowText, /八厂社区第一网格/, 'the row shows the grid')
  assert.match(rowText, /待受理/, 'the status is shown in Chinese')
  assert.match(rowText, /剩余|已超期/, 'the remaining time is shown')
  await shot(desk, 'cases-list')
  await row.getByRole('link', { name: number }).click()
  await desk.waitForURL(/\/console\/cases\/\d+$/)
  const caseId = Number(desk.url().split('/').pop())
  await desk.getByRole('heading', { name: WORDS }).waitFor()
  assert.match(await desk.locator('[data-test=case-deadline]').innerText(), /受理时限/)
  await consoleAct(desk, '受理', '已受理')
  await consoleAct(desk, '派遣', '已派遣', async (dialog) => {
    await dialog.locator('[data-test=handler-select]').click()
    await desk.locator('.el-select-dropdown__item:visible', { hasText: 'wuye_handler' }).click()
  })
  assert.match(await desk.locator('[data-test=case-deadline]').innerText(), /处置时限/)

  // 3. The property company's handler starts and reports back in the console.
  const handler = await newPage(browser, 'desktop')
  await loginApi(handler, HANDLER)
  await handler.goto(`/console/cases/${caseId}`)
  await handler.locator('[data-test=case-status]', { hasText: '已派遣' }).waitFor()
  await consoleAct(handler, '开始处置', '处置中')
  await consoleAct(handler, '处置反馈', '已处置', async (dialog) => {
    await dialog.getByLabel('说明').fill('已更换充电桩控制板，试充正常')
    // The "after" photo is required; it uploads as soon as it is chosen.
    await dialog.locator('[data-test=photo-input]').setInputFiles(PHOTO)
    await until(async () => dialog.locator('[data-test=case-action-submit]').isEnabled(), { message: 'the photo uploaded' })
  })
  await handler.locator('[data-test=case-photos] img').first().waitFor()
  assert.match(await handler.locator('[data-test=case-timeline]').innerText(), /已更换充电桩控制板/)

  // 4. The grid worker verifies on her phone from 我的任务.
  const grid = await newPage(browser, 'mobile')
  await loginApi(grid, GRID_WORKER)
  await grid.goto('/m/tasks')
  await grid.locator('[role=article]', { hasText: number }).click()
  await grid.waitForURL(new RegExp(`/m/cases/${caseId}$`))
  await grid.locator('[data-test=m-case-status]', { hasText: '已处置' }).waitFor()
  // Before and after: the resident's photo and the handler's.
  await grid.locator('[data-test=m-case-photos] img').nth(1).waitFor()
  assert.equal(await grid.locator('[data-test=m-case-photos] img').count(), 2)
  await grid.getByRole('button', { name: '核查' }).click()
  await grid.locator('[data-test=m-case-status]', { hasText: '已核查' }).waitFor()

  // 5. The community worker closes it; the timeline tells the whole story.
  await desk.reload()
  await desk.locator('[data-test=case-status]', { hasText: '已核查' }).waitFor()
  await consoleAct(desk, '结案', '已办结')
  await desk.locator('.el-message').first().waitFor({ state: 'hidden' })
  const story = await desk.locator('[data-test=case-timeline]').innerText()
  for (const step of ['上报', '受理', '派遣', '开始处置', '处置反馈', '核查', '结案']) assert.ok(story.includes(step), `timeline has ${step}`)
  assert.match(story, /处置人员/, 'the timeline names the role')
  await shot(desk, 'case-detail')

  // 6. The resident sees 已办结 in 我的反映, rates 满意 and sees it.
  await phone.goto('/m/my-cases')
  const mine = phone.locator('[role=article]', { hasText: number })
  await mine.waitFor()
  assert.match(await mine.innerText(), /已办结/)
  await shot(phone, 'm-my-cases')
  await mine.click()
  await phone.locator('[data-test=rate-form]').waitFor()
  await phone.locator('[data-test=rate-form]').getByText('满意', { exact: true }).click()
  await phone.getByRole('button', { name: '提交评价' }).click()
  await phone.locator('[data-test=m-case-rating]', { hasText: '满意' }).waitFor()
  const status = await phone.locator('[data-test=m-case-status]').innerText()
  assert.match(status, /已办结/)
  assert.match(status, /满意/)
  assert.equal(await phone.locator('[data-test=rate-form]').count(), 0, 'the rating form is gone once rated')

  for (const p of [phone, desk, handler, grid]) assert.deepEqual(cspViolations(p), [])
})

test('a stale case is reloaded with a message; a missing reason is shown under the field', async () => {
  const page = await newPage(browser, 'desktop')
  const me = await loginApi(page, WORKER)
  const { roots } = await apiGet(page, '/areas/tree?depth=1')
  const grid = roots.find((n) => n.level === 'community').children.find((g) => g.level === 'grid')
  assert.ok(me && grid, 'the worker has a grid')
  const created = await apiSend(page, 'POST', '/cases', { title: '楼道灯不亮（测试）', category_id: 18, grid_id: grid.id })
  await page.goto(`/console/cases/${created.id}`)
  await page.locator('[data-test=case-status]', { hasText: '待受理' }).waitFor()

  // Someone else writes a note meanwhile: the page's version is now old.
  await apiSend(page, 'POST', `/cases/${created.id}/actions`, { action: 'comment', note: '已电话联系居民' })
  await page.locator('[data-test=case-actions]').getByRole('button', { name: '受理', exact: true }).click()
  await page.locator('[data-test=case-action-submit]').click()
  const box = page.locator('.el-message-box', { hasText: '已被他人更新' })
  await box.waitFor()
  assert.match(await box.innerText(), /待受理/, 'the message names the current status')
  await box.getByRole('button', { name: '确定' }).click()
  await page.locator('[data-test=case-timeline]', { hasText: '已电话联系居民' }).waitFor()

  // Rejecting without a reason: the server's field error appears under the reason field.
  await page.locator('[data-test=case-actions]').getByRole('button', { name: '不予受理', exact: true }).click()
  await page.locator('[data-test=case-action-submit]').click()
  await page.locator('[data-test=case-action-form] .el-form-item__error').waitFor()
  await page.getByLabel('理由').fill('重复反映，已在处理')
  await page.locator('[data-test=case-action-submit]').click()
  await page.locator('[data-test=case-status]', { hasText: '不予受理' }).waitFor()
  assert.deepEqual(cspViolations(page), [])
})
