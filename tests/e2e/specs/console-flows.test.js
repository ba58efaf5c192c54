// What a community worker does in the console every week: add a resident through the form and
// find them again, import a spreadsheet, export to Excel, add a building; and reading it in English.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { WORKER, apiGet, apiSend, loginApi, loginConsole } from '../lib/auth.js'
import { shot } from '../lib/screenshot.js'
import { makeIdNumber, maskId, rareName, until } from '../lib/util.js'

let browser
let cleaner // an API-signed-in page used to remove what the tests created
const created = { residents: [], names: [], buildings: [] }
const tmp = mkdtempSync(join(tmpdir(), 'cg-e2e-'))

before(async () => {
  await assertServerUp()
  browser = await launch()
  cleaner = await newPage(browser)
  await loginApi(cleaner, WORKER)
})
after(async () => {
  try {
    for (const name of created.names) {
      const { items } = await apiGet(cleaner, `/residents?q=${encodeURIComponent(name)}&limit=50`)
      for (const r of items) if (r.name === name) created.residents.push(r.id)
    }
    for (const id of new Set(created.residents)) await apiSend(cleaner, 'DELETE', `/residents/${id}`).catch(() => {})
    for (const id of created.buildings) await apiSend(cleaner, 'DELETE', `/buildings/${id}`).catch(() => {})
  } finally {
    await browser?.close()
  }
})

/** The community and its first grid, as the worker's tree shows them. */
async function myCommunity() {
  const { roots } = await apiGet(cleaner, '/areas/tree?depth=1')
  const community = roots.find((n) => n.level === 'community')
  return { community, grid: community.children.find((g) => g.level === 'grid') }
}

/** Opens the select and clicks an option of its own listbox (found through aria-controls). */
async function choose(page, scope, selector, text) {
  await scope.locator(selector).click()
  const listbox = await scope.locator(`${selector} input`).getAttribute('aria-controls')
  const options = page.locator(`[id="${listbox}"] .el-select-dropdown__item`)
  await (text ? options.filter({ hasText: text }) : options).first().click()
}

async function openResidents(page) {
  await loginConsole(page)
  await page.getByRole('menuitem', { name: '居民管理' }).click()
  await page.waitForURL(/\/console\/residents/)
  await page.locator('[data-test=residents-table] .el-table__body tr').first().waitFor()
}

test('community worker adds a resident and finds them by a two-character name search', async () => {
  const page = await newPage(browser, 'desktop')
  await openResidents(page)
  const name = rareName()
  const person = makeIdNumber()
  created.names.push(name)

  await page.getByRole('button', { name: '新增居民' }).click()
  const dialog = page.locator('.resident-form')
  await dialog.waitFor()
  await choose(page, dialog, '[data-test=building-select]')
  await choose(page, dialog, '[data-test=household-select]')
  await dialog.getByLabel('姓名').fill(name)
  const gender = person.gender === 'male' ? '男' : '女'
  await dialog.locator('label.el-radio', { hasText: gender }).click()
  assert.ok(await dialog.getByRole('radio', { name: gender }).isChecked(), `${gender} is chosen`)
  await choose(page, dialog, '[data-test=relation-select]', '其他')
  await dialog.getByLabel('身份证号').fill(person.id)
  await dialog.getByLabel('手机号').fill(`139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`)
  await dialog.locator('[data-test=resident-submit]').click()
  await page.locator('.el-message--success', { hasText: '已新增' }).waitFor()
  await dialog.waitFor({ state: 'hidden' })

  const two = name.slice(0, 2)
  await page.getByRole('textbox', { name: '姓名 / 手机号 / 身份证号' }).fill(two)
  await page.getByRole('button', { name: '搜索' }).click()
  const table = page.locator('[data-test=residents-table]')
  const row = table.locator('.el-table__body tr', { hasText: name })
  await row.waitFor()
  const names = (await table.locator('.el-table__body tr td:first-child').allInnerTexts()).map((n) => n.trim())
  for (const n of names) assert.ok(n.includes(two), `"${n}" matches the search "${two}"`)
  const rowText = await row.innerText()
  assert.ok(rowText.includes(maskId(person.id)), `the row shows the masked ID ${maskId(person.id)}: ${rowText}`)
  assert.ok(!rowText.includes(person.id), 'the full ID number is not shown')
  await shot(page, 'resident-added')
  assert.deepEqual(cspViolations(page), [])
})

test('community worker imports a CSV: the check lists bad rows by number, then a good file imports', async () => {
  const { grid } = await myCommunity()
  const header = '姓名,性别,出生日期,身份证号,手机号,网格编码,楼幢,单元,楼层,房号,与户主关系,居住类型,标签,备注'
  const good = [rareName(), rareName()]
  created.names.push(...good)
  const a = makeIdNumber()
  const b = makeIdNumber()
  const bad = `${a.id.slice(0, 17)}${a.id[17] === '0' ? '1' : '0'}` // wrong check digit
  const line = (n, id, room, rel = '户主') => `${n},,,${id},,${grid.code},E2E测试楼,1单元,1,${room},${rel},户籍,,`
  const badCsv = [header, line(good[0], a.id, '101'), line('', b.id, '102'), line(good[1], bad, '103')].join('\r\n')
  const goodCsv = [header, line(good[0], a.id, '101'), line(good[1], b.id, '101', '配偶')].join('\r\n')
  const badFile = join(tmp, '居民-有错误.csv')
  const goodFile = join(tmp, '居民.csv')
  writeFileSync(badFile, '\ufeff' + badCsv + '\r\n')
  writeFileSync(goodFile, '\ufeff' + goodCsv + '\r\n')

  const page = await newPage(browser, 'desktop')
  await openResidents(page)
  await page.getByRole('button', { name: '导入' }).click()
  const dialog = page.getByRole('dialog', { name: '批量导入居民' })
  await dialog.waitFor()
  await dialog.locator('input[type=file]').setInputFiles(badFile)
  await dialog.getByRole('button', { name: '开始校验' }).click()
  const errors = dialog.locator('[data-test=import-errors]')
  await errors.waitFor()
  const text = await errors.innerText()
  assert.match(text, /第 3 行/, `row 3 (empty name) is listed:\n${text}`)
  assert.match(text, /第 4 行/, `row 4 (bad ID check digit) is listed:\n${text}`)
  assert.doesNotMatch(text, /第 2 行/, 'the good row is not listed')
  assert.ok(await dialog.getByRole('button', { name: '确认导入' }).isDisabled(), 'a file with errors cannot be imported')
  await shot(page, 'import-errors')

  await dialog.getByRole('button', { name: '重新选择' }).click()
  await dialog.locator('input[type=file]').setInputFiles(goodFile)
  await dialog.getByRole('button', { name: '开始校验' }).click()
  await dialog.getByText('全部数据校验通过').waitFor()
  await dialog.getByRole('button', { name: '确认导入' }).click()
  await dialog.getByText('成功导入 2 条').first().waitFor()
  await shot(page, 'import-done')
  await dialog.getByRole('button', { name: '关闭', exact: true }).click()

  await page.getByRole('textbox', { name: '姓名 / 手机号 / 身份证号' }).fill(good[1])
  await page.getByRole('button', { name: '搜索' }).click()
  const row = page.locator('[data-test=residents-table] .el-table__body tr', { hasText: good[1] })
  await row.waitFor()
  assert.ok((await row.innerText()).includes('E2E测试楼'), 'the imported resident lives in the file\'s building')
})

test('community worker exports the list to Excel', async () => {
  const page = await newPage(browser, 'desktop')
  await openResidents(page)
  await page.getByRole('button', { name: '导出' }).click()
  const download = page.waitForEvent('download')
  await page.getByRole('menuitem', { name: '导出 Excel' }).click()
  const file = await download
  assert.match(file.suggestedFilename(), /^居民名单-\d{8}\.xlsx$/)
  const path = join(tmp, 'export.xlsx')
  await file.saveAs(path)
  const bytes = readFileSync(path)
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx (zip) file')
  assert.ok(bytes.length > 10_000, `the file has the community's rows (${bytes.length} bytes)`)
  await page.locator('.el-message--success', { hasText: '已开始下载' }).waitFor()
})

test('community worker adds a building to a grid and sees it listed', async () => {
  const { grid } = await myCommunity()
  const page = await newPage(browser, 'desktop')
  await loginConsole(page)
  await page.getByRole('menuitem', { name: '组织架构' }).click()
  await page.waitForURL(/\/console\/org/)
  await page.locator('.area-tree .el-tree-node__content', { hasText: grid.name }).click()
  await page.locator('.org .el-card__header', { hasText: grid.name }).waitFor()
  await page.getByRole('button', { name: '新增楼幢' }).click()
  const dialog = page.getByRole('dialog', { name: '新增楼幢' })
  const name = `E2E${Date.now() % 100000}幢`
  await dialog.getByLabel('楼幢名称').fill(name)
  await dialog.getByLabel('地址').fill('崇川区八厂路 1 号')
  const made = page.waitForResponse((r) => r.url().endsWith('/api/v1/buildings') && r.request().method() === 'POST')
  await dialog.getByRole('button', { name: '保存' }).click()
  const res = await made
  if (res.ok()) created.buildings.push((await res.json()).id)
  assert.equal(res.status(), 201)
  const row = page.locator('.org .el-table__body tr', { hasText: name })
  await row.waitFor()
  assert.ok((await row.innerText()).includes('崇川区八厂路 1 号'))
  await shot(page, 'org-building')

  // A household in the new building: a floor that is not a number gets the
  // server's field error in place; a number saves.
  await row.click()
  await page.getByRole('button', { name: '新增住户' }).click()
  const hh = page.getByRole('dialog', { name: '新增住户' })
  await hh.getByLabel('单元').fill('1')
  await hh.getByLabel('楼层').fill('三楼')
  await hh.getByLabel('房号').fill('301')
  await hh.getByRole('button', { name: '保存' }).click()
  await hh.locator('.el-form-item__error', { hasText: '整数' }).waitFor()
  await hh.getByLabel('楼层').fill('3')
  const saved = page.waitForResponse((r) => r.url().endsWith('/households') && r.request().method() === 'POST')
  await hh.getByRole('button', { name: '保存' }).click()
  assert.equal((await saved).status(), 201)
  await page.locator('.org .el-table__body tr', { hasText: '301' }).waitFor()
})

test('switching the console to English leaves no Chinese in the menu', async () => {
  const page = await newPage(browser, 'desktop')
  await loginConsole(page, { username: 'admin', password: WORKER.password })
  await page.locator('.top .lang').click()
  await page.getByRole('menuitem', { name: 'English' }).click()
  const menu = page.locator('nav.menu')
  await menu.getByRole('menuitem', { name: 'Residents' }).waitFor()
  const text = await menu.innerText()
  for (const label of ['Home', 'Residents', 'Organization', 'Audit log']) assert.ok(text.includes(label), `menu shows ${label}`)
  assert.doesNotMatch(text, /[\u3400-\u9fff]/, `no Chinese left in the menu: ${text}`)
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  await shot(page, 'home-en')
})
