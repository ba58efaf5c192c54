// On the phone: a resident signs in with an SMS code; a grid worker walks her grid; large text.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { GRID_WORKER, apiGet, loginApi } from '../lib/auth.js'
import { shot } from '../lib/screenshot.js'
import { logSize, smsCodeAfter, smsCooldown, until } from '../lib/util.js'

const RESIDENT_PHONE = process.env.CIVICGRID_E2E_RESIDENT_PHONE ?? '13951300001'

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

test('a resident signs in with phone and SMS code and sees 我的 with their name', async (t) => {
  // The server sends one code a minute per phone; an earlier run may have just sent one.
  const wait = smsCooldown(RESIDENT_PHONE)
  if (wait) {
    t.diagnostic(`waiting ${Math.ceil(wait / 1000)} s for the SMS cool-down`)
    await new Promise((r) => setTimeout(r, wait))
  }
  const page = await newPage(browser, 'mobile')
  await page.goto('/m/login')
  await page.getByRole('heading', { name: '手机号登录' }).waitFor()
  await page.getByLabel('手机号').fill(RESIDENT_PHONE)
  const from = logSize()
  await page.getByRole('button', { name: '获取验证码' }).click()
  await page.getByRole('button', { name: /秒后重发/ }).waitFor()
  const code = await until(() => smsCodeAfter(RESIDENT_PHONE, from), { message: 'the SMS code in the server log' })
  await page.getByLabel('验证码').fill(code)
  const signedIn = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/sms-login'))
  await page.getByRole('button', { name: '登录', exact: true }).click()
  const res = await signedIn
  assert.equal(res.status(), 200, 'the code is accepted')
  const { user } = await res.json()

  await page.waitForURL(/\/m\/me$/)
  await page.locator('.van-nav-bar__title', { hasText: '我的' }).waitFor()
  const heading = page.getByRole('heading', { level: 2 })
  await heading.waitFor()
  assert.equal((await heading.innerText()).trim(), user.display_name, 'the resident sees their own name')
  assert.ok(user.display_name, 'the resident has a name')
  const body = await page.locator('main').innerText()
  assert.match(body, /居民/, 'the role is shown as 居民')
  assert.doesNotMatch(body, /\/\d+\//, 'no raw area path (/1/2/3/) is shown')
  assert.equal(await page.locator('.van-tabbar').count(), 0, 'a resident has no grid tab')
  await shot(page, 'm-me-resident')
  assert.deepEqual(cspViolations(page), [])
})

test('a grid worker on the phone sees only her grid\'s residents and opens a household', async () => {
  const page = await newPage(browser, 'mobile')
  const me = await loginApi(page, GRID_WORKER)
  const grid = me.roles.find((r) => r.role === 'grid_worker').area
  const ownBuildings = new Set((await apiGet(page, `/buildings?area=${grid.id}&limit=200`)).items.map((b) => b.name))

  await page.goto('/m')
  await page.waitForURL(/\/m\/grid$/)
  await page.locator('.banner', { hasText: grid.name }).waitFor()
  assert.doesNotMatch(await page.locator('.banner').innerText(), /\/\d+\//, 'no raw area path (/1/2/3/) in the banner')
  const people = page.locator('.person')
  await people.first().waitFor()
  const labels = await people.locator('.van-cell__label').allInnerTexts()
  assert.ok(labels.length >= 10, `a page of residents is listed (${labels.length})`)
  for (const address of labels) {
    const building = address.split(' ')[1]
    assert.ok(ownBuildings.has(building), `"${address}" is in a building of ${grid.name}`)
  }
  await shot(page, 'm-grid')

  const first = people.first()
  const name = (await first.locator('.name').innerText()).trim()
  await first.click()
  await page.waitForURL(/\/m\/residents\/\d+$/)
  await page.getByRole('heading', { name }).waitFor()
  await shot(page, 'm-resident')
  await page.getByText('查看本户').click()
  await page.waitForURL(/\/m\/households\/\d+$/)
  const members = page.locator('.van-cell-group .van-cell')
  await members.first().waitFor()
  const memberText = await page.locator('main').innerText()
  assert.ok(memberText.includes(name), 'the household lists the resident')
  assert.match(memberText, /共 \d+ 人/)
  assert.doesNotMatch(memberText, /undefined|NaN/, 'every member line is complete')
  assert.match(await members.first().locator('.van-cell__label').innerText(), /^[男女] · \d+ 岁$/)
  await page.locator('.van-nav-bar__left .van-icon-arrow-left').waitFor()
  await shot(page, 'm-household')
  await page.locator('.van-nav-bar__left').click()
  await page.waitForURL(/\/m\/residents\/\d+$/)
  assert.deepEqual(cspViolations(page), [])
})

test('large-text mode on the phone makes the text bigger and stays on', async () => {
  const page = await newPage(browser, 'mobile')
  await loginApi(page, GRID_WORKER)
  await page.goto('/m/grid')
  const title = page.locator('.person .van-cell__title').first()
  await title.waitFor()
  const size = async () => parseFloat(await title.evaluate((el) => getComputedStyle(el).fontSize))
  const before = await size()
  const toggle = page.locator('[data-test=elder-toggle]')
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false')
  await toggle.click()
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true')
  const bigger = await until(async () => ((await size()) > before ? size() : 0), { message: 'a larger font' })
  assert.ok(bigger >= before + 2, `font grew from ${before}px to ${bigger}px`)
  await shot(page, 'm-grid-elder')
  await page.reload()
  await title.waitFor()
  assert.equal(await size(), bigger, 'the choice is remembered after a reload')
})
