// Bad input is reported next to the field it concerns, both by the browser and by the server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, launch, newPage } from '../lib/browser.js'
import { loginConsole } from '../lib/auth.js'
import { shot } from '../lib/screenshot.js'

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

/** An 18-digit ID number whose GB 11643 check digit is deliberately wrong. */
function badIdNumber() {
  const body = '32060219900101123'
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0)
  const right = '10X98765432'[sum % 11]
  return body + (right === '0' ? '1' : '0')
}

test('sign-in form shows a required-field error under the field', async () => {
  const page = await newPage(browser, 'desktop')
  await page.goto('/login')
  await page.getByRole('button', { name: '登录' }).click()
  const item = page.locator('.el-form-item', { has: page.getByLabel('用户名') })
  await item.locator('.el-form-item__error').waitFor()
  assert.match(await item.locator('.el-form-item__error').innerText(), /用户名/)
  await shot(page, 'login-errors')
})

test('resident form shows the server\'s ID-number error under the ID field', async () => {
  const page = await newPage(browser, 'desktop')
  await loginConsole(page)
  await page.goto('/console/residents')
  await page.getByRole('button', { name: '新增居民' }).click()
  const dialog = page.locator('.resident-form')
  await dialog.waitFor()

  // pick the first building and household offered for the chosen area
  // (each select's own listbox, found through aria-controls: a closing list may still be visible)
  const choose = async (selector, text) => {
    await dialog.locator(selector).click()
    const listbox = await dialog.locator(`${selector} input`).getAttribute('aria-controls')
    const options = page.locator(`[id="${listbox}"] .el-select-dropdown__item`)
    await (text ? options.filter({ hasText: text }) : options).first().click()
  }
  await choose('[data-test=building-select]')
  await choose('[data-test=household-select]')
  await dialog.getByLabel('姓名').fill('测试居民')
  await dialog.locator('label.el-radio', { hasText: '女' }).click()
  assert.ok(await dialog.getByRole('radio', { name: '女' }).isChecked(), '女 is chosen')
  await choose('[data-test=relation-select]', '其他')
  await dialog.getByLabel('身份证号').fill(badIdNumber())
  await dialog.locator('[data-test=resident-submit]').click()

  const idItem = dialog.locator('[data-field=id_number]')
  await idItem.locator('.el-form-item__error').waitFor()
  assert.ok((await idItem.locator('.el-form-item__error').innerText()).trim().length > 0)
  await shot(page, 'resident-form-errors')
})
