// 我要反映 on the phone, and where the problem is: a building of the resident's grid (her home by
// default, or another one she picks), or the phone's position — with permission refused first
// (a clear message), then granted at a fixed point inside 八厂社区第三网格, where the case lands.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { WORKER, apiGet, loginApi, residentSignIn } from '../lib/auth.js'
import { shot } from '../lib/screenshot.js'

// Inside the demo boundary of 八厂社区第三网格 (src/app/demo.cpp, grid_block: 120.8598–120.8622 E,
// 32.011–32.020 N), away from the resident's own grid.
const POINT = { latitude: 32.0155, longitude: 120.861 }

let browser, phone, home
before(async () => {
  await assertServerUp()
  browser = await launch()
  phone = await newPage(browser, 'mobile')
})
after(() => browser?.close())


async function openReport(page) {
  await page.goto('/m/report')
  await page.locator('[data-test=report-place]').waitFor()
}

async function fillProblem(page, words) {
  await page.getByLabel('问题类别').click()
  const cascader = page.locator('.van-cascader')
  await cascader.getByText('公用设施', { exact: true }).click()
  await cascader.getByText('路灯损坏', { exact: true }).click()
  await cascader.waitFor({ state: 'hidden' })
  await page.getByLabel('问题描述').fill(words)
}

async function submitAndGetCase(page) {
  const filed = page.waitForResponse((r) => r.url().endsWith('/api/v1/cases') && r.request().method() === 'POST')
  await page.getByRole('button', { name: '提交', exact: true }).click()
  const res = await filed
  assert.equal(res.status(), 201, `the report is filed: ${await res.text()}`)
  await page.locator('[data-test=report-done]').waitFor()
  const body = await res.json()
  return apiGet(page, `/cases/${body.id}`)
}

test('the report form offers the resident\'s own building by default and files a building she picks', async (t) => {
  await residentSignIn(phone, t)
  home = await apiGet(phone, '/me')
  assert.ok(home.household?.building_id, 'the demo resident has a registered home')
  const mine = (await apiGet(phone, '/me/buildings')).items
  assert.ok(mine.length > 1, `her grid has several buildings (${mine.length})`)
  const own = mine.find((b) => b.id === home.household.building_id)
  assert.ok(own, 'her home building is among them')

  await openReport(phone)
  const field = phone.locator('[data-test=building-field] input')
  assert.equal(await field.inputValue(), `${own.name}（我家）`, 'her home building is chosen by default')

  const other = mine.find((b) => b.id !== own.id)
  await phone.locator('[data-test=building-field]').click()
  const picker = phone.locator('.van-picker')
  await picker.waitFor()
  await picker.locator('.van-picker-column__item', { hasText: new RegExp(`^${other.name}$`) }).click()
  await phone.waitForTimeout(400) // the column's snap animation
  await picker.getByRole('button', { name: '确认' }).or(picker.getByText('确定', { exact: true })).first().click()
  await picker.waitFor({ state: 'hidden' })
  assert.equal(await field.inputValue(), other.name)
  await fillProblem(phone, `楼道灯不亮了 ${other.name}`)
  await shot(phone, 'm-report-building')
  const c = await submitAndGetCase(phone)
  assert.equal(c.building_id, other.id, 'the case names the chosen building')
  assert.equal(c.grid.id, other.grid_id, 'in that building\'s grid')
  assert.equal(c.lat, null, 'without a position')
  assert.deepEqual(cspViolations(phone), [])
})

test('use my location: refused permission says so in Chinese; granted, the case lands at the point', async () => {
  assert.ok(home, 'signed in by the previous test')
  const context = phone.context()
  await context.clearPermissions()
  await openReport(phone)
  await phone.locator('[data-test=place-here]').click()
  const error = phone.locator('[data-test=place-error]')
  await error.waitFor()
  assert.match(await error.innerText(), /未允许获取位置.*允许本网站使用定位.*选择楼幢/)
  await shot(phone, 'm-report-denied')

  await context.grantPermissions(['geolocation'])
  await context.setGeolocation(POINT)
  await phone.locator('[data-test=locate]').click()
  const located = phone.locator('[data-test=located]')
  await located.waitFor()
  assert.match(await located.innerText(), /32\.01550.*120\.86100/)
  assert.equal(await error.count(), 0, 'the refusal message is gone once located')
  await fillProblem(phone, '路边井盖松动，有安全隐患')
  await shot(phone, 'm-report-located')
  const c = await submitAndGetCase(phone)
  assert.equal(c.lat, POINT.latitude)
  assert.equal(c.lng, POINT.longitude)
  assert.equal(c.building_id, null, 'a position names no building')

  // The grid is the one whose boundary holds the point, as the org module locates it.
  const worker = await newPage(browser, 'desktop')
  await loginApi(worker, WORKER)
  const { grid } = await apiGet(worker, `/areas/locate?lat=${POINT.latitude}&lng=${POINT.longitude}`)
  assert.equal(c.grid.id, grid.id, `the case lands in ${grid.name}`)
  assert.equal(grid.name, '八厂社区第三网格')
  assert.notEqual(grid.id, home.grid?.id, 'not merely the resident\'s home grid')
  await worker.context().close()
})
