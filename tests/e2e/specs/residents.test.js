// A community worker signs in, finds a resident by name and reveals a phone number with a reason.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { loginConsole } from '../lib/auth.js'
import { shot } from '../lib/screenshot.js'
import { until } from '../lib/util.js'

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

test('community worker searches residents and reveals a phone with a reason', async () => {
  const page = await newPage(browser, 'desktop')
  await loginConsole(page)
  await page.locator('.stats .stat .num').first().waitFor()
  assert.match(await page.locator('.stats').innerText(), /居民数/, 'home shows the area\'s counts')
  await shot(page, 'home')

  await page.getByRole('menuitem', { name: '居民管理' }).click()
  await page.waitForURL(/\/console\/residents/)
  const table = page.locator('[data-test=residents-table]')
  const firstName = table.locator('.el-table__body tr').first().locator('td').first()
  await firstName.waitFor()
  const name = (await firstName.innerText()).trim()
  assert.ok(name, 'the residents table shows at least one resident')

  await page.getByRole('textbox', { name: '姓名 / 手机号 / 身份证号' }).fill(name)
  const searched = page.waitForResponse((r) => r.url().includes('/api/v1/residents?') && new URL(r.url()).searchParams.get('q') === name)
  await page.getByRole('button', { name: '搜索' }).click()
  await searched
  // what the worker sees settles on the matches only (the first, unfiltered page may still be drawn)
  const names = await until(
    async () => {
      const ns = (await table.locator('.el-table__body tr td:first-child').allInnerTexts()).map((n) => n.trim())
      return ns.length > 0 && ns.every((n) => n.includes(name)) && ns
    },
    { message: `the table to show only residents named like "${name}"` },
  )
  assert.ok(names.length > 0, 'the search finds the resident')
  await shot(page, 'residents')

  await table.locator('[data-test=reveal-phone]').first().click()
  const dialog = page.locator('.reveal-dialog')
  await dialog.waitFor()
  // too short a reason is refused in place, before anything is sent
  await dialog.getByRole('textbox').fill('查')
  await dialog.getByRole('button', { name: '查看' }).click()
  await dialog.locator('.el-form-item__error', { hasText: '至少 2 个字' }).waitFor()

  await dialog.getByRole('textbox').fill('入户走访需要电话联系')
  await dialog.getByRole('button', { name: '查看' }).click()
  const value = dialog.locator('[data-test=revealed-value]')
  await value.waitFor()
  assert.match((await value.innerText()).replace(/\s/g, ''), /1[3-9]\d{9}$/, 'the full phone number is shown')
  await shot(page, 'reveal')

  assert.deepEqual(cspViolations(page), [], 'no CSP violations')
})
