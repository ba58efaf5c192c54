// 志愿服务 in the browser: a volunteer signs up on the phone and checks in by opening the URL the
// organizer's QR code encodes; an organizer verifies hours in the console; the main volunteer
// pages pass axe and are photographed at phone and desktop size.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, assertServerUp, cspViolations, launch, newPage } from '../lib/browser.js'
import { WORKER, apiGet, apiSend, loginApi } from '../lib/auth.js'
import { formatViolations, seriousViolations } from '../lib/axe.js'
import { shot } from '../lib/screenshot.js'

const VOLUNTEER = { username: 'bachang_volunteer', password: WORKER.password } // 王坚, 编号85号
const VENUE = { latitude: 32.0107, longitude: 120.8644 } // the demo's 八厂社区 centre

let browser
before(async () => {
  await assertServerUp()
  browser = await launch()
})
after(() => browser?.close())

async function expectClean(page, name) {
  await page.waitForLoadState('networkidle')
  await page.mouse.move(1, 1) // judge colours at rest, not under a hovered button
  await shot(page, `vol-${name}`, { fullPage: true })
  const found = await seriousViolations(page)
  assert.equal(found.length, 0, `axe on ${name}:\n${formatViolations(found)}`)
  assert.deepEqual(cspViolations(page), [], `no CSP violations on ${name}`)
}

const E2E_TITLE = '楼道清理 e2e'
const MINUTE = 60_000

/**
 * The organizer (community worker) sets up a fresh 15-minute activity that opens for check-in
 * now: it starts in ten minutes, or right after the volunteer's booking from an earlier run if
 * that one is still on (a volunteer cannot book two activities at the same time). Earlier runs'
 * activities that have not started are cancelled first.
 */
async function freshActivity(organizer, volunteerPage) {
  const me = await loginApi(organizer, WORKER)
  const bachang = me.roles[0].area.id
  const open = (await apiGet(organizer, `/volunteer-activities?status=published&area=${bachang}&limit=100`)).items
  for (const a of open.filter((x) => x.title.startsWith(E2E_TITLE))) {
    await apiSend(organizer, 'POST', `/volunteer-activities/${a.id}/actions`, { action: 'cancel', reason: '测试数据清理' })
  }
  await loginApi(volunteerPage, VOLUNTEER)
  const now = Date.now()
  const busyUntil = (await apiGet(volunteerPage, '/volunteers/me/signups')).items
    .filter((s) => s.status !== 'cancelled' && s.end_at > now && s.start_at < now + 40 * MINUTE)
    .reduce((end, s) => Math.max(end, s.end_at), 0)
  const start = Math.max(now + 10 * MINUTE, busyUntil + MINUTE)
  const teams = (await apiGet(organizer, '/volunteer-teams')).items.filter((t) => t.area.id === bachang)
  assert.ok(teams.length, 'the demo has teams in 八厂社区')
  const made = await apiSend(organizer, 'POST', '/volunteer-activities', {
    team_id: teams[0].id,
    title: `${E2E_TITLE} ${now % 100000}`,
    venue: '八厂社区党群服务中心',
    lat: VENUE.latitude,
    lng: VENUE.longitude,
    start_at: start,
    end_at: start + 15 * MINUTE,
    capacity: 5,
    points_per_hour: 10,
  })
  await apiSend(organizer, 'POST', `/volunteer-activities/${made.id}/actions`, { action: 'publish' })
  return made
}

test('a volunteer signs up on the phone and checks in by opening the QR code URL', async () => {
  const organizer = await newPage(browser, 'desktop')
  const phone = await newPage(browser, 'mobile')
  const activity = await freshActivity(organizer, phone)
  const title = activity.title

  // The volunteer finds it from 我的 → 志愿服务 → 志愿活动 and signs up.
  await phone.context().grantPermissions(['geolocation'])
  await phone.context().setGeolocation(VENUE)
  await phone.goto('/m/me')
  await phone.getByText('志愿服务', { exact: true }).click()
  await phone.waitForURL(/\/m\/volunteer$/)
  await phone.getByText('编号 85 号', { exact: false }).waitFor()
  await phone.getByText('志愿活动', { exact: true }).click()
  await phone.getByText(title).click()
  await phone.waitForURL(new RegExp(`/m/volunteer/activities/${activity.id}$`))
  await phone.getByRole('button', { name: '我要报名' }).click()
  await phone.getByText('已报名', { exact: true }).waitFor()
  await shot(phone, 'vol-activity-signed-up')

  // The organizer's page shows the rotating QR code; its URL opens the check-in on the phone.
  await organizer.goto(`/console/volunteer-activities/${activity.id}`)
  await organizer.locator('[data-test=checkin-qr]').waitFor()
  await organizer.getByRole('timer').waitFor()
  const link = await organizer.locator('[data-test=checkin-link]').getAttribute('href')
  assert.match(link, /\/m\/volunteer\/checkin\?t=\d+\.\d+\.[0-9a-f]+$/, 'the QR code encodes the check-in URL')
  await organizer.locator('[data-test=signups-table]').getByText('王坚').waitFor()
  await shot(organizer, 'vol-organizer-qr')

  const scanned = phone.waitForResponse((r) => r.url().endsWith(`/volunteer-activities/${activity.id}/scan`))
  await phone.goto(link)
  const res = await scanned
  assert.equal(res.status(), 200, 'the scan is accepted')
  const body = JSON.parse(res.request().postData())
  assert.ok(typeof body.lat === 'number' && typeof body.lng === 'number', 'the phone sends its location')
  await phone.getByText('签到成功').waitFor()
  await shot(phone, 'vol-checked-in')
  assert.deepEqual(cspViolations(phone), [])

  // The organizer sees the check-in in the attendance list.
  await organizer.reload()
  await organizer.locator('[data-test=attendance-table]').getByText('王坚').waitFor()
  await organizer.locator('[data-test=attendance-table]').getByText('已签到').first().waitFor()
})

test('an organizer verifies hours in the console: approve one, adjust another with a reason', async () => {
  const page = await newPage(browser, 'desktop')
  const me = await loginApi(page, WORKER)
  const bachang = me.roles[0].area.id
  // The demo leaves last week's activities waiting for verification.
  const finished = (await apiGet(page, `/volunteer-activities?status=finished&area=${bachang}&limit=50`)).items
  let target = null
  for (const a of finished) {
    const rows = (await apiGet(page, `/volunteer-activities/${a.id}/attendance`)).items
    if (rows.filter((r) => r.status === 'pending').length >= 2) {
      target = a
      break
    }
  }
  assert.ok(target, 'a finished activity with at least two records to verify')
  await page.goto(`/console/volunteer-activities/${target.id}`)
  const table = page.locator('[data-test=attendance-table]')
  await table.getByRole('button', { name: '认定' }).first().waitFor()
  const before = await table.getByText('已认定', { exact: true }).count()
  await table.getByRole('button', { name: '认定' }).first().click()
  await page.getByText('已认定', { exact: true }).nth(before).waitFor()

  await table.getByRole('button', { name: '调整' }).first().click()
  const dialog = page.locator('.el-dialog').filter({ hasText: '调整' })
  await dialog.getByRole('button', { name: '保存' }).click()
  await dialog.getByText('调整或驳回时长须填写原因').waitFor() // the server's per-field error, nothing changed
  await dialog.getByRole('spinbutton').fill('60')
  await dialog.getByPlaceholder('调整或不予认定须填写原因').fill('扣除往返路途时间')
  await dialog.getByRole('button', { name: '保存' }).click()
  await table.getByText('已调整', { exact: true }).first().waitFor()
  await table.getByText('扣除往返路途时间').first().waitFor()
  await shot(page, 'vol-verified')
})

test('a party secretary registers as a volunteer on the phone and the community approves in the console', async () => {
  const phone = await newPage(browser, 'mobile')
  await loginApi(phone, { username: 'bachang_party', password: WORKER.password })
  await phone.goto('/m/volunteer')
  const form = phone.getByRole('button', { name: '提交注册' })
  const card = phone.getByText(/编号 \d+ 号/)
  await form.or(phone.getByText('注册申请审核中')).or(card).first().waitFor()
  if (await form.isVisible()) {
    await phone.getByLabel('技能特长').fill('摄影、驾驶')
    await phone.getByLabel('可服务时间').fill('周末全天')
    await shot(phone, 'vol-register')
    await form.click()
    await phone.getByText('注册申请审核中').waitFor()
  }
  if (!(await card.isVisible())) {
    const console_ = await newPage(browser, 'desktop')
    await loginApi(console_, WORKER)
    await console_.goto('/console/volunteers')
    const row = console_.locator('[data-test=volunteers-table] .el-table__body tr', { hasText: '袁祖权' })
    await row.getByRole('button', { name: '通过', exact: true }).click()
    await console_.getByText(/已通过审核 · 编号 \d+ 号/).waitFor()
    await phone.reload()
  }
  await card.waitFor()
  await phone.getByText('志愿活动', { exact: true }).waitFor()
})

const PARTY = { username: 'bachang_party', password: WORKER.password } // 袁祖权, 党组织书记

/** Makes sure 袁祖权 is an approved volunteer (registering and approving through the API if not). */
async function approvedVolunteer(phone, organizer) {
  await loginApi(phone, PARTY)
  let me = await phone.request.get(`${BASE_URL}/api/v1/volunteers/me`).then((r) => (r.ok() ? r.json() : null))
  if (!me) me = await apiSend(phone, 'POST', '/volunteers/register', { skills: ['摄影'], available_times: '周末' })
  if (me.status !== 'approved') {
    await apiSend(organizer, 'POST', `/volunteers/${me.id}/decision`, { decision: 'approve', note: '' })
  }
}

test('a volunteer asks on the phone for a back-fill, the organizer approves it in the console, the phone is told', async () => {
  const organizer = await newPage(browser, 'desktop')
  const phone = await newPage(browser, 'mobile')
  const me = await loginApi(organizer, WORKER)
  const bachang = me.roles[0].area.id
  await approvedVolunteer(phone, organizer)

  // A one-minute activity he signs up for and then misses the check-in of (a flat phone).
  const teams = (await apiGet(organizer, '/volunteer-teams')).items.filter((t) => t.area.id === bachang)
  const start = Date.now() + 8_000
  const activity = await apiSend(organizer, 'POST', '/volunteer-activities', {
    team_id: teams[0].id,
    title: `补录 e2e ${start % 100000}`,
    venue: '八厂社区党群服务中心',
    lat: VENUE.latitude,
    lng: VENUE.longitude,
    start_at: start,
    end_at: start + MINUTE,
    capacity: 5,
    points_per_hour: 600,
  })
  await apiSend(organizer, 'POST', `/volunteer-activities/${activity.id}/actions`, { action: 'publish' })
  await apiSend(phone, 'POST', `/volunteer-activities/${activity.id}/signup`, {})
  const before = (await apiGet(phone, '/volunteers/me')).points_balance
  await new Promise((r) => setTimeout(r, start + MINUTE + 1_000 - Date.now()))

  // Over: the activity page offers 申请补录, which opens the form with the activity chosen.
  await phone.goto(`/m/volunteer/activities/${activity.id}`)
  await phone.getByRole('link', { name: '申请补录' }).or(phone.getByRole('button', { name: '申请补录' })).first().click()
  await phone.waitForURL(/\/m\/volunteer\/backfill\?activity=/)
  const form = phone.locator('[data-test=backfill-form]')
  await form.getByRole('radio', { name: activity.title }).and(phone.locator('[aria-checked=true]')).waitFor()
  assert.notEqual(await form.locator('[data-test=backfill-arrived] input').inputValue(), '', 'arrival defaults to the start')
  // Without a reason nothing is sent.
  await form.getByRole('button', { name: '提交补录申请' }).click()
  await form.getByText('请填写补录原因').waitFor()
  await form.locator('[data-test=backfill-reason] textarea').fill('手机没电，未能扫码签到')
  const sent = phone.waitForResponse((r) => r.url().endsWith('/api/v1/volunteer-backfills') && r.request().method() === 'POST')
  await form.getByRole('button', { name: '提交补录申请' }).click()
  assert.equal((await sent).status(), 201)
  const mine = phone.locator('[data-test=my-backfills] .van-cell', { hasText: activity.title })
  await mine.getByText('待审核').waitFor()
  await phone.locator('.van-toast').waitFor({ state: 'hidden' }) // judge the page, not the passing toast
  await expectClean(phone, 'm-backfill')

  // The organizer's list of pending requests: approve with a note.
  await organizer.goto('/console/volunteer-backfills')
  const row = organizer.locator('[data-test=backfills-table] .el-table__body tr', { hasText: activity.title })
  await row.getByText('手机没电，未能扫码签到').waitFor()
  await expectClean(organizer, 'backfills')
  await row.getByRole('button', { name: '通过', exact: true }).click()
  const box = organizer.locator('.el-message-box')
  await box.getByRole('textbox').fill('现场照片可见本人')
  const told = phone.getByText('补录通过：补录申请已通过').waitFor({ timeout: 15_000 })
  await box.getByRole('button', { name: '通过', exact: true }).click()
  await organizer.getByText('补录已通过，时长和积分已计入').waitFor()
  await row.waitFor({ state: 'detached' }) // gone from the pending list

  // The phone hears of it at once (the banner), and the hours and points count.
  await told
  await shot(phone, 'vol-m-backfill-told')
  const notices = (await apiGet(phone, '/notifications?limit=20')).items
  const notice = notices.find((n) => n.kind === 'volunteer.backfill_approved' && n.subject_id === activity.id)
  assert.ok(notice, 'a back-fill notice about this activity in GET /notifications')
  assert.equal((await apiGet(phone, '/volunteers/me')).points_balance, before + 10, '1 minute at 600 points an hour')
  await phone.reload()
  await mine.getByText('已通过').waitFor()
})

test('volunteer pages on the phone pass axe', async () => {
  const page = await newPage(browser, 'mobile')
  await loginApi(page, VOLUNTEER)
  await page.goto('/m/volunteer')
  await page.getByText('编号 85 号').waitFor()
  await expectClean(page, 'm-home')
  await page.goto('/m/volunteer/activities')
  await page.locator('.van-cell').first().waitFor()
  await expectClean(page, 'm-activities')
  await page.goto('/m/volunteer/passbook')
  await page.locator('.line').first().waitFor()
  const balances = await page.locator('.line .nums .meta').allInnerTexts()
  assert.ok(balances.length > 5, 'the passbook lists the year of records')
  await expectClean(page, 'm-passbook')
  await page.goto('/m/volunteer/gifts')
  await page.locator('.gift').first().waitFor()
  await expectClean(page, 'm-gifts')
  await page.goto('/m/volunteer/certificate')
  await page.getByRole('button', { name: '开具证明' }).click()
  await page.locator('.cert table tbody tr').first().waitFor()
  await expectClean(page, 'm-certificate')
})

test('volunteer pages in the console pass axe', async () => {
  const page = await newPage(browser, 'desktop')
  await loginApi(page, WORKER)
  const pages = [
    ['/console/volunteers', '[data-test=volunteers-table] .el-table__body tr', 'volunteers'],
    ['/console/volunteer-teams', '.el-table__body tr', 'teams'],
    ['/console/volunteer-activities', '[data-test=activities-table] .el-table__body tr', 'activities'],
    ['/console/volunteer-gifts', '[data-test=gifts-table] .el-table__body tr', 'gifts'],
    ['/console/volunteer-rankings', '[data-test=ranking-table] .el-table__body tr', 'rankings'],
  ]
  for (const [path, ready, name] of pages) {
    await page.goto(path)
    await page.locator(ready).first().waitFor()
    await expectClean(page, name)
  }
  // The star of the year opens on the passbook with a certificate ready to print.
  await page.goto('/console/volunteer-rankings')
  await page.getByRole('radio', { name: '本年' }).check({ force: true })
  await page.locator('[data-test=ranking-table] .el-table__body tr a').first().click()
  await page.locator('[data-test=passbook-table] .el-table__body tr').first().waitFor()
  await page.getByRole('button', { name: '开具证明' }).click()
  await page.locator('.cert').waitFor()
  await expectClean(page, 'passbook')
})
