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
  // As the community worker, take one resident from a grid of the community that is not the
  // grid worker's own grid.
  const probe = await newPage(browser)
  const gridWorker = await loginApi(probe, GRID_WORKER)
  const myGrid = gridWorker.roles.find((r) => r.role === 'grid_worker' && r.area?.level === 'grid')?.area
  assert.ok(myGrid, `${GRID_WORKER.username} is a grid worker`)
  await probe.context().clearCookies()
  await loginApi(probe, WORKER)
  const { roots } = await apiGet(probe, '/areas/tree?depth=1')
  const community = roots.find((c) => c.children?.some((g) => g.id === myGrid.id))
  assert.ok(community, `${WORKER.username} works in the community of ${myGrid.name}`)
  const other = community.children.find((g) => g.level === 'grid' && g.id !== myGrid.id && g.counts.residents > 0)
  assert.ok(other, 'the community has another grid with residents')
  const { items } = await apiGet(probe, `/residents?area=${other.id}&limit=1`)
  foreignId = items[0]?.id
  assert.ok(foreignId, `${other.name} has a resident`)
  assert.equal(items[0].grid.id, other.id)
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
  assert.equal(await page.locator('.van-cell-group').count(), 0, 'no resident details are rendered')
  await shot(page, 'foreign-resident')
})
