// 数据驾驶舱 and 网格地图: what a street admin and a community worker see, checked against the API,
// with axe and screenshots at desktop and phone size.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { GRID_WORKER, WORKER, apiGet, loginApi } from '../lib/auth.js'
import { formatViolations, seriousViolations } from '../lib/axe.js'
import { shot } from '../lib/screenshot.js'

const STREET_ADMIN = { username: 'xcq_admin', password: WORKER.password }

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

async function expectClean(page, name) {
  const found = await seriousViolations(page)
  assert.equal(found.length, 0, `axe on ${name}:\n${formatViolations(found)}`)
  assert.deepEqual(cspViolations(page), [], `no CSP violations on ${name}`)
}

async function openDashboard(kind) {
  const page = await newPage(browser, kind)
  await loginApi(page, STREET_ADMIN)
  await page.goto('/console/dashboard', { waitUntil: 'domcontentloaded' })
  await page.locator('[data-test=kpis] .kpi').nth(8).waitFor()
  await page.locator('[data-test=ranking] .el-table__body tr').first().waitFor()
  await page.waitForLoadState('networkidle')
  return page
}

test('dashboard: the street\'s indicators match /stats/cases, charts drawn, grids ranked', async () => {
  const page = await openDashboard('desktop')
  const kpis = await page.locator('[data-test=kpis] .kpi').allInnerTexts()
  assert.equal(kpis.length, 9, 'nine indicators')
  for (const label of ['收件数', '受理数', '结案数', '按期结案率', '满意率', '返工率', '网格内结案占比', '社区内结案占比', '平均处置时长'])
    assert.ok(kpis.some((k) => k.includes(label)), `indicator ${label} shown`)

  // The page's "received" is the API's for the same area and the same 12 months.
  const area = new URL(page.url()).searchParams.get('area')
  assert.ok(area, 'the chosen area is in the URL')
  const now = new Date()
  const from = new Date(now.getFullYear(), now.getMonth() - 11, 1).getTime()
  const stats = await apiGet(page, `/stats/cases?area=${area}&from=${from}&to=${Date.now()}`)
  const received = Number(kpis.find((k) => k.includes('收件数')).replace(/[^\d]/g, ''))
  assert.ok(Math.abs(received - stats.received) <= 2, `received ${received} ≈ API ${stats.received} (a case may arrive in between)`)

  assert.ok((await page.locator('.chart svg').count()) >= 4, 'trend, sub-areas, categories and ranking charts drawn')
  const chartText = await page.locator('.chart svg').first().textContent()
  assert.match(chartText, /收件数/, 'chart legends are translated')
  const ranked = await page.locator('[data-test=ranking] .el-table__body tr td:nth-child(2)').allInnerTexts()
  assert.ok(ranked.length >= 5 && ranked.every((n) => n.includes('网格')), `grids of the street ranked: ${ranked}`)
  await shot(page, 'dashboard')
  await expectClean(page, 'dashboard')
})

test('dashboard: choosing a community in the tree scopes the page and the URL', async () => {
  const page = await openDashboard('desktop')
  await page.locator('.area-tree .el-tree-node__content', { hasText: '八厂社区' }).first().click()
  await page.waitForURL(/area=\d+/)
  await page.locator('.title-row .scope', { hasText: '八厂社区' }).waitFor()
  await page.locator('.trail', { hasText: '八厂社区' }).waitFor()
  await page.waitForLoadState('networkidle')
  const rows = await page.locator('[data-test=ranking] .el-table__body tr td:nth-child(2)').allInnerTexts()
  assert.ok(rows.length === 5 && rows.every((n) => n.startsWith('八厂社区')), `only 八厂's five grids ranked: ${rows}`)
})

test('dashboard at phone size', async () => {
  const page = await openDashboard('mobile')
  await shot(page, 'dashboard')
  await expectClean(page, 'dashboard (phone)')
})

async function openMap(kind, user = WORKER) {
  const page = await newPage(browser, kind)
  await loginApi(page, user)
  await page.goto('/console/map', { waitUntil: 'domcontentloaded' })
  await page.locator('.leaflet-overlay-pane path.leaflet-interactive').first().waitFor()
  await page.waitForLoadState('networkidle')
  return page
}

test('map: grids coloured by running cases; clicking a grid shows its worker, counts and cases', async () => {
  const page = await openMap('desktop')
  const open = await apiGet(page, '/stats/cases/open-by-grid')
  assert.equal(open.items.length, 5, '八厂 has five grids')
  // five polygons, plus a point per recent case with a location
  assert.ok((await page.locator('.leaflet-overlay-pane path.leaflet-interactive').count()) > 5, 'grids and case points drawn')
  const list = await page.locator('.grid-list li').allInnerTexts()
  assert.equal(list.length, 5)
  await shot(page, 'map')
  await expectClean(page, 'map')

  // the first polygon drawn is the first grid (a case point on top of it belongs to it too)
  await page.locator('.leaflet-overlay-pane path.leaflet-interactive').first().click()
  const first = open.items[0]
  await page.locator('[data-test=map-grid-name]', { hasText: first.grid.name }).waitFor()
  await page.locator('[data-test=map-worker]', { hasText: '张敏' }).waitFor()
  const counts = await page.locator('.counts dd').allInnerTexts()
  assert.deepEqual(counts.map(Number), [first.open, first.yellow, first.red], 'the panel shows the API counts')
  await page.locator('.panel .cases a').first().waitFor()
  await shot(page, 'map-grid')
})

test('map: a grid worker sees only her own grid', async () => {
  const page = await openMap('desktop', GRID_WORKER)
  const names = await page.locator('.grid-list li').allInnerTexts()
  assert.equal(names.length, 1)
  assert.match(names[0], /八厂社区第一网格/)
})

test('map at phone size', async () => {
  const page = await openMap('mobile')
  await shot(page, 'map')
  await expectClean(page, 'map (phone)')
})
