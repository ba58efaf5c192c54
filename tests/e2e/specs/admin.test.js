// Administration pages: staff accounts (users.manage), case categories and the working calendar
// (platform admins). Each is shown only to the roles that may use it, and bad input comes back
// from the server as field errors shown next to the field.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { GRID_WORKER, WORKER, apiGet, apiSend, loginApi } from '../lib/auth.js'
import { formatViolations, seriousViolations } from '../lib/axe.js'
import { shot } from '../lib/screenshot.js'

const ADMIN = { username: 'admin', password: WORKER.password }
const STREET_ADMIN = { username: 'xcq_admin', password: WORKER.password }

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

async function expectClean(page, name) {
  await page.waitForLoadState('networkidle')
  const found = await seriousViolations(page)
  assert.equal(found.length, 0, `axe on ${name}:\n${formatViolations(found)}`)
  assert.deepEqual(cspViolations(page), [], `no CSP violations on ${name}`)
}

const menuItems = (page) => page.locator('.menu .el-menu-item').allInnerTexts()

/** The error shown under the form item that holds `field` (an input name or a data-test). */
const errorOf = (dialog, field) =>
  dialog.locator('.el-form-item', { has: dialog.page().locator(`[name="${field}"]`) }).locator('.el-form-item__error').first()

test('a grid worker sees no administration page, by menu or by URL', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page, GRID_WORKER)
  await page.goto('/console', { waitUntil: 'domcontentloaded' })
  await page.locator('.menu .el-menu-item').first().waitFor()
  const menu = await menuItems(page)
  for (const hidden of ['账号管理', '工单类别', '工作日历', '审计日志']) assert.ok(!menu.some((m) => m.includes(hidden)), `${hidden} not offered`)
  for (const path of ['/console/admin/staff', '/console/admin/categories', '/console/admin/calendar']) {
    await page.goto(path, { waitUntil: 'domcontentloaded' })
    await page.waitForURL((u) => u.pathname === '/console', { timeout: 5000 })
  }
})

test('a street admin manages accounts but not categories or the calendar', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page, STREET_ADMIN)
  await page.goto('/console', { waitUntil: 'domcontentloaded' })
  await page.locator('.menu .el-menu-item').first().waitFor()
  const menu = await menuItems(page)
  assert.ok(menu.some((m) => m.includes('账号管理')))
  assert.ok(!menu.some((m) => m.includes('工单类别') || m.includes('工作日历')))
  await page.goto('/console/admin/categories', { waitUntil: 'domcontentloaded' })
  await page.waitForURL((u) => u.pathname === '/console', { timeout: 5000 })
})

for (const kind of ['desktop', 'mobile']) {
  test(`staff accounts page (${kind})`, async () => {
    const page = await newPage(browser, kind)
    await loginApi(page)
    await page.goto('/console/admin/staff', { waitUntil: 'domcontentloaded' })
    await page.locator('[data-test=users-table] .el-table__body tr').first().waitFor()
    const names = await page.locator('[data-test=users-table] .el-table__body tr td:first-child').allInnerTexts()
    assert.ok(names.includes('bachang_grid1'), '八厂\'s grid worker listed')
    assert.ok(!names.includes('suyang_worker'), 'another street\'s worker is not')
    await shot(page, 'admin-staff')
    await expectClean(page, `staff (${kind})`)
  })
}

test('new account: the server\'s field errors appear under the fields, then a valid account is created', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page) // community worker of 八厂
  await page.goto('/console/admin/staff', { waitUntil: 'domcontentloaded' })
  await page.locator('[data-test=users-table] .el-table__body tr').first().waitFor()
  await page.locator('[data-test=add-user]').click()
  const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=user-form]') })
  await dialog.waitFor()
  await dialog.locator('[name=username]').fill('ab')
  await dialog.locator('[data-test=save-user]').click()
  await errorOf(dialog, 'username').waitFor()
  assert.ok((await errorOf(dialog, 'username').innerText()).length > 0, 'username too short')
  assert.ok((await errorOf(dialog, 'password').innerText()).length > 0, 'password missing')
  assert.ok((await errorOf(dialog, 'display_name').innerText()).length > 0, 'name missing')
  await shot(page, 'admin-staff-errors')

  // A community worker cannot make a street admin: the error names the role of row 0.
  const username = `e2e${Date.now() % 1_000_000}`
  await dialog.locator('[name=username]').fill(username)
  await dialog.locator('[name=display_name]').fill('测试网格员')
  await dialog.locator('[name=password]').fill('Grid@2026cg-e2e')
  const roleSelect = dialog.locator('.role-row .el-select').first()
  await roleSelect.click()
  const listbox = await roleSelect.locator('input').getAttribute('aria-controls')
  await page.locator(`[id="${listbox}"] .el-select-dropdown__item`, { hasText: '街道管理员' }).click()
  await dialog.locator('[data-test=save-user]').click()
  const roleError = dialog.locator('.role-row .el-form-item__error').first()
  await roleError.waitFor()
  assert.ok((await roleError.innerText()).length > 0, 'the role row shows the scope error')

  await roleSelect.click()
  await page.locator(`[id="${listbox}"] .el-select-dropdown__item`, { hasText: '网格员' }).click()
  await dialog.locator('[data-test=save-user]').click()
  await dialog.waitFor({ state: 'hidden' })
  await page.locator('[data-test=users-table] td', { hasText: username }).waitFor()
})

test('edit an account: name errors in place, disabling signs it out at once, roles granted and revoked', async () => {
  const page = await newPage(browser, 'desktop')
  const me = await loginApi(page) // community worker of 八厂
  const listed = (await apiGet(page, '/users')).items
  const grid = listed.find((u) => u.username === 'bachang_grid1').roles[0].area
  const username = `e2x${Date.now() % 1_000_000}`
  const password = 'Grid@2026cg-e2e'
  const created = await apiSend(page, 'POST', '/users', {
    username, display_name: '待编辑网格员', password, roles: [{ role: 'grid_worker', area_id: grid.id }],
  })
  const holder = await newPage(browser, 'desktop')
  await loginApi(holder, { username, password })
  assert.equal((await holder.request.get('/api/v1/me')).status(), 200)

  await page.goto('/console/admin/staff', { waitUntil: 'domcontentloaded' })
  const row = page.locator('[data-test=users-table] .el-table__body tr', { hasText: username })
  await row.waitFor()
  // Nobody disables themselves: the own row's switch is off limits.
  const ownRow = page.locator('[data-test=users-table] .el-table__body tr', { hasText: me.username })
  assert.ok(await ownRow.locator('[data-test=user-enabled]').evaluate((el) => el.classList.contains('is-disabled')), 'own switch disabled')

  await row.locator('[data-test=edit-user]').click()
  const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=user-edit-form]') })
  await dialog.waitFor()
  await dialog.locator('[name=display_name]').fill('')
  await dialog.locator('[data-test=save-edit]').click()
  await errorOf(dialog, 'display_name').waitFor()
  assert.ok((await errorOf(dialog, 'display_name').innerText()).length > 0, 'an empty name is refused under the field')
  await dialog.locator('[name=display_name]').fill('已调岗网格员')
  await dialog.locator('[data-test=edit-enabled]').click()
  await shot(page, 'admin-staff-edit')
  await dialog.locator('[data-test=save-edit]').click()
  await dialog.waitFor({ state: 'hidden' })
  await row.filter({ hasText: '已调岗网格员' }).filter({ hasText: '停用' }).waitFor()
  assert.equal((await holder.request.get('/api/v1/me')).status(), 401, 'the disabled account\'s session ends at once')
  const again = await holder.request.post('/api/v1/auth/login', { data: { username, password } })
  assert.equal(again.status(), 401, 'and it cannot sign in')

  // The table's switch enables it again.
  await row.locator('[data-test=user-enabled]').click()
  await row.filter({ hasText: '正常' }).waitFor()
  assert.equal((await apiGet(page, '/users')).items.find((u) => u.id === created.id).disabled, false)

  // Roles: one beyond the manager's rights is refused under the role picker; a handler role on
  // the same grid is granted, then revoked; the last role stays (the server says why).
  await row.locator('[data-test=edit-user]').click()
  await dialog.waitFor()
  const pick = async (select, text) => {
    await select.click()
    const listbox = await select.locator('input').getAttribute('aria-controls')
    await page.locator(`[id="${listbox}"] .el-select-dropdown__item`, { hasText: text }).first().click()
  }
  const roleSelect = dialog.locator('[data-test=grant-role]')
  await pick(roleSelect, '街道管理员')
  await dialog.locator('[data-test=grant-submit]').click()
  const roleError = dialog.locator('.grant .el-form-item').first().locator('.el-form-item__error')
  await roleError.waitFor()
  assert.match(await roleError.innerText(), /超出自身权限/)
  await pick(roleSelect, '处置人员')
  await pick(dialog.locator('[data-test=grant-area]'), grid.name)
  await dialog.locator('[data-test=grant-submit]').click()
  const roles = dialog.locator('[data-test=role-list] li')
  await roles.filter({ hasText: '处置人员' }).waitFor()
  assert.equal(await roles.count(), 2)
  await shot(page, 'admin-staff-roles')
  await roles.filter({ hasText: '处置人员' }).locator('[data-test=revoke-role]').click()
  await roles.filter({ hasText: '处置人员' }).waitFor({ state: 'detached' })
  assert.equal(await roles.count(), 1)
  await roles.first().locator('[data-test=revoke-role]').click()
  await dialog.locator('.el-alert', { hasText: '停用' }).waitFor()
  assert.equal(await roles.count(), 1, 'the last role stays')
  await expectClean(page, 'staff edit dialog')
})

for (const kind of ['desktop', 'mobile']) {
  test(`case categories page (${kind})`, async () => {
    const page = await newPage(browser, kind)
    await loginApi(page, ADMIN)
    await page.goto('/console/admin/categories', { waitUntil: 'domcontentloaded' })
    await page.locator('[data-test=categories-table] .el-table__body tr', { hasText: '电动车充电桩' }).waitFor()
    await page.waitForLoadState('networkidle')
    await shot(page, 'admin-categories')
    await expectClean(page, `categories (${kind})`)
  })
}

test('new category: empty code and name and a zero limit are refused under their fields', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page, ADMIN)
  await page.goto('/console/admin/categories', { waitUntil: 'domcontentloaded' })
  await page.locator('[data-test=categories-table] .el-table__body tr').first().waitFor()
  await page.locator('[data-test=add-category]').click()
  const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=category-form]') })
  await dialog.waitFor()
  await dialog.locator('input[name=accept_hours]').fill('0')
  const before = (await apiGet(page, '/case-categories')).items.length
  await dialog.locator('[data-test=save-category]').click()
  for (const field of ['code', 'name']) {
    await errorOf(dialog, field).waitFor()
    assert.ok((await errorOf(dialog, field).innerText()).length > 0, `${field} error shown`)
  }
  await shot(page, 'admin-categories-errors')
  assert.equal((await apiGet(page, '/case-categories')).items.length, before, 'nothing created')
})

for (const kind of ['desktop', 'mobile']) {
  test(`working calendar page (${kind})`, async () => {
    const page = await newPage(browser, kind)
    await loginApi(page, ADMIN)
    await page.goto('/console/admin/calendar', { waitUntil: 'domcontentloaded' })
    await page.locator('[data-test=calendar-table] .el-table__body tr', { hasText: '春节' }).first().waitFor()
    await shot(page, 'admin-calendar')
    await expectClean(page, `calendar (${kind})`)
  })
}

test('calendar: a make-up working day is added through the form and removed again', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page, ADMIN)
  const year = new Date().getFullYear()
  await page.goto('/console/admin/calendar', { waitUntil: 'domcontentloaded' })
  await page.locator('[data-test=calendar-table] .el-table__body tr').first().waitFor()
  await page.locator('[data-test=add-day]').click()
  const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=day-form]') })
  await dialog.waitFor()
  await dialog.locator('[data-test=save-day]').click()
  await dialog.locator('.el-form-item__error').first().waitFor() // no date
  const date = `${year}-12-19` // a Saturday in 2026; any date works
  await dialog.getByLabel('日期').first().fill(date)
  await dialog.getByLabel('日期').first().press('Enter')
  await dialog.locator('label.el-radio-button', { hasText: '调休上班' }).click()
  await dialog.locator('[name=name]').fill('测试调休')
  await dialog.locator('[data-test=save-day]').click()
  await dialog.waitFor({ state: 'hidden' })
  const row = page.locator('[data-test=calendar-table] .el-table__body tr', { hasText: date })
  await row.waitFor()
  assert.match(await row.innerText(), /调休上班/)
  await apiSend(page, 'DELETE', `/calendar/${date}`)
})
