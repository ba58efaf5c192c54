// A grid worker who types another grid's resident into the address bar sees "不存在或无权访问".
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { assertServerUp, launch, newPage } from '../lib/browser.js'
import { GRID_WORKER, WORKER, apiGet, loginApi, loginConsole } from '../lib/auth.js'
import { shot } from '../lib/screenshot.js'

let browser
let foreignId
before(async () => {
  await assertServerUp()
  browser = await launch()
  // Find, as the community worker, a resident who lives outside the grid worker's grid.
  const probe = await newPage(browser)
  const gridWorker = await loginApi(probe, GRID_WORKER)
  const myGrids = new Set(gridWorker.roles.filter((r) => r.area?.level === 'grid').map((r) => r.area.id))
  assert.ok(myGrids.size > 0, `${GRID_WORKER.username} is a grid worker`)
  await probe.context().clearCookies()
  await loginApi(probe, WORKER)
  const { items } = await apiGet(probe, '/residents?limit=100')
  foreignId = items.find((r) => !myGrids.has(r.grid?.id))?.id
  assert.ok(foreignId, 'the community has a resident outside that grid')
  await probe.context().close()
})
after(() => browser?.close())

test('console: another grid\'s resident by URL is not shown', async () => {
  const page = await newPage(browser, 'desktop')
  await loginConsole(page, GRID_WORKER)
  await page.goto(`/console/residents/${foreignId}`)
  await page.getByText('不存在或无权访问').first().waitFor()
  assert.equal(await page.locator('.el-descriptions').count(), 0, 'no resident details are rendered')
  await shot(page, 'foreign-resident')
})

test('mobile: another grid\'s resident by URL is not shown', async () => {
  const page = await newPage(browser, 'mobile')
  await loginApi(page, GRID_WORKER)
  await page.goto(`/m/residents/${foreignId}`)
  await page.getByText('不存在或无权访问').first().waitFor()
  await shot(page, 'foreign-resident')
})
