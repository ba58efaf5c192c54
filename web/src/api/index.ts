// Typed endpoint functions, one per API route. Components import from here, never fetch().
import { http, setCsrfToken } from './client'
import type {
  Area,
  AreaLevel,
  AreaNode,
  AuditEntry,
  Building,
  Case,
  CaseAction,
  CaseCategory,
  CaseDetail,
  CaseInput,
  CaseQuery,
  CaseStats,
  NoticePage,
  CalendarDay,
  CalendarYear,
  CategoryInput,
  OpenByGrid,
  Household,
  HouseholdDetail,
  ImportReport,
  LoginResult,
  Me,
  Page,
  Resident,
  ResidentInput,
  ResidentQuery,
  ResidentSummary,
  RoleName,
  StaffUser,
  StoredFile,
  Tag,
  ActivityInput,
  ActivityStatus,
  Attendance,
  Backfill,
  Certificate,
  Gift,
  Passbook,
  QrToken,
  Ranking,
  Redemption,
  Signup,
  TeamMember,
  Volunteer,
  VolunteerActivity,
  VolunteerNotice,
  VolunteerSettings,
  VolunteerStatus,
  VolunteerTeam,
} from './types'

export * from './types'
export { ApiError, setUnauthorizedHandler } from './client'

function remember(r: LoginResult): LoginResult {
  setCsrfToken(r.csrf_token)
  return r
}

export const auth = {
  login: (username: string, password: string) =>
    http.post<LoginResult>('/auth/login', { username, password }, undefined, true).then(remember),
  smsCode: (phone: string) =>
    http.post<{ sent: boolean; expires_in: number }>('/auth/sms-code', { phone }, undefined, true),
  smsLogin: (phone: string, code: string) =>
    http.post<LoginResult>('/auth/sms-login', { phone, code }, undefined, true).then(remember),
  logout: () => http.post<void>('/auth/logout', undefined, undefined, true).finally(() => setCsrfToken('')),
  me: async () => {
    const me = await http.get<Me>('/me', undefined, true)
    setCsrfToken(me.csrf_token)
    return me
  },
}

export const areas = {
  tree: (root?: number | null, depth?: number) =>
    http.get<{ roots: AreaNode[] }>('/areas/tree', { root, depth }),
  get: (id: number) => http.get<Area>(`/areas/${id}`),
  create: (body: { parent_id: number; level: AreaLevel; name: string; code?: string }) =>
    http.post<Area>('/areas', body),
  update: (id: number, body: { name?: string; code?: string }) => http.patch<Area>(`/areas/${id}`, body),
  remove: (id: number) => http.del(`/areas/${id}`),
  boundary: (id: number) => http.get<unknown>(`/areas/${id}/boundary`),
  putBoundary: (id: number, geometry: unknown) => http.put<unknown>(`/areas/${id}/boundary`, geometry),
  locate: (lat: number, lng: number) => http.get<{ grid: Area }>('/areas/locate', { lat, lng }),
}

export const buildings = {
  list: (area: number, cursor?: string | null, limit = 50) =>
    http.get<Page<Building>>('/buildings', { area, cursor, limit }),
  /** Every building of an area, fetched page by page (the server caps a page at 200). */
  async all(area: number): Promise<Building[]> {
    const out: Building[] = []
    let cursor: string | null | undefined = null
    do {
      const page: Page<Building> = await http.get<Page<Building>>('/buildings', { area, cursor, limit: 200 })
      out.push(...page.items)
      cursor = page.next_cursor
    } while (cursor)
    return out
  },
  get: (id: number) => http.get<Building>(`/buildings/${id}`),
  /** The buildings of the caller's own grid(s), for reporting; residents may call it too. */
  mine: () => http.get<{ items: Building[] }>('/me/buildings'),
  create: (body: { grid_id: number; name: string; address?: string }) => http.post<Building>('/buildings', body),
  update: (id: number, body: { name?: string; address?: string }) => http.patch<Building>(`/buildings/${id}`, body),
  remove: (id: number) => http.del(`/buildings/${id}`),
}

export const households = {
  list: (building: number, cursor?: string | null, limit = 200) =>
    http.get<Page<Household>>('/households', { building, cursor, limit }),
  get: (id: number) => http.get<HouseholdDetail>(`/households/${id}`),
  create: (body: { building_id: number; unit: string; floor: number | string; room: string }) =>
    http.post<Household>('/households', body),
  update: (id: number, body: { unit?: string; floor?: number | string; room?: string }) =>
    http.patch<Household>(`/households/${id}`, body),
  remove: (id: number) => http.del(`/households/${id}`),
}

export const residents = {
  list: (q: ResidentQuery, cursor?: string | null, limit = 20) =>
    http.get<Page<ResidentSummary>>('/residents', { ...q, cursor, limit }),
  get: (id: number) => http.get<Resident>(`/residents/${id}`),
  create: (body: ResidentInput) => http.post<Resident>('/residents', body),
  update: (id: number, body: Partial<ResidentInput>) => http.patch<Resident>(`/residents/${id}`, body),
  remove: (id: number) => http.del(`/residents/${id}`),
  reveal: (id: number, field: 'id_number' | 'phone', reason: string) =>
    http.post<{ value: string }>(`/residents/${id}/reveal`, { field, reason }),
  import: (csv: Blob | string, community: number, dryRun: boolean) =>
    http.raw<ImportReport>('POST', '/residents/import', csv, 'text/csv; charset=utf-8', {
      dry_run: dryRun,
      community,
    }),
  export: (format: 'xlsx' | 'csv', q: ResidentQuery) => http.download('/residents/export', { format, ...q }),
}

export const tags = {
  list: () => http.get<Page<Tag>>('/tags'),
}

export const audit = {
  list: (cursor?: string | null, limit = 50) => http.get<Page<AuditEntry>>('/audit', { cursor, limit }),
}

export const users = {
  list: (area?: number) => http.get<Page<StaffUser>>('/users', { area }),
  create: (body: { username: string; display_name: string; password: string; roles: { role: RoleName; area_id: number }[] }) =>
    http.post<StaffUser>('/users', body),
  update: (id: number, body: { display_name?: string; disabled?: boolean }) => http.patch<StaffUser>(`/users/${id}`, body),
  grant: (id: number, body: { role: RoleName; area_id: number }) => http.post<StaffUser>(`/users/${id}/roles`, body),
  revoke: (id: number, grantId: number) => http.del<StaffUser>(`/users/${id}/roles/${grantId}`),
}

export const files = {
  /** Sends the photo's bytes as they are; the server decides by content what it is. */
  upload: (file: Blob) => http.raw<StoredFile>('POST', '/files', file, file.type || 'application/octet-stream'),
}

export const stats = {
  cases: (area?: number | null, from?: number, to?: number) => http.get<CaseStats>('/stats/cases', { area, from, to }),
  openByGrid: (area?: number | null) => http.get<OpenByGrid>('/stats/cases/open-by-grid', { area }),
}

export const calendar = {
  year: (year: number) => http.get<CalendarYear>('/calendar', { year }),
  put: (day: CalendarDay) => http.put<CalendarDay>(`/calendar/${day.date}`, { kind: day.kind, name: day.name }),
  remove: (date: string) => http.del(`/calendar/${date}`),
}

export const cases = {
  categories: () => http.get<{ items: CaseCategory[] }>('/case-categories'),
  createCategory: (body: CategoryInput) => http.post<CaseCategory>('/case-categories', body),
  updateCategory: (id: number, body: Partial<CategoryInput>) => http.patch<CaseCategory>(`/case-categories/${id}`, body),
  list: (q: CaseQuery, cursor?: string | null, limit = 20) =>
    http.get<Page<Case>>('/cases', {
      ...q,
      mine: q.mine ? true : undefined,
      overdue: q.overdue ? true : undefined,
      cursor,
      limit,
    }),
  get: (id: number) => http.get<CaseDetail>(`/cases/${id}`),
  /** The same key on a retry makes the server answer with the first case instead of a second. */
  create: (body: CaseInput, idempotencyKey: string) =>
    http.post<CaseDetail>('/cases', body, undefined, false, { 'Idempotency-Key': idempotencyKey }),
  act: (id: number, action: CaseAction, body: Record<string, unknown>, expectedVersion?: number) =>
    http.post<CaseDetail>(`/cases/${id}/actions`, { ...body, action, expected_version: expectedVersion }),
}

export const notifications = {
  list: (q: { unread?: boolean; before?: number | null; limit?: number } = {}) =>
    http.get<NoticePage>('/notifications', { unread: q.unread ? true : undefined, before: q.before, limit: q.limit }),
  /** Marks the given notices read, or every one with 'all'; answers the new unread count. */
  read: (which: number[] | 'all') =>
    http.post<{ unread_count: number }>('/notifications/read', which === 'all' ? { all: true } : { ids: which }),
  /** The server-sent-events address; EventSource sends the session cookie itself. */
  streamUrl: '/api/v1/notifications/stream',
}

const activityPath = (id: number, tail = '') => `/volunteer-activities/${id}${tail}`

export const volunteers = {
  register: (body: { skills: string[]; available_times: string }) => http.post<Volunteer>('/volunteers/register', body),
  /** 404 when the caller has not registered. */
  me: () => http.get<Volunteer>('/volunteers/me'),
  mySignups: () => http.get<{ items: Signup[] }>('/volunteers/me/signups'),
  myPassbook: () => http.get<Passbook>('/volunteers/me/passbook'),
  myNotices: () => http.get<{ items: VolunteerNotice[] }>('/volunteers/me/notices'),
  myCertificate: () => http.post<Certificate>('/volunteers/me/certificates'),
  list: (q: { status?: VolunteerStatus | ''; area?: number | null; q?: string }, cursor?: string | null, limit = 20) =>
    http.get<Page<Volunteer>>('/volunteers', { ...q, cursor, limit }),
  get: (id: number) => http.get<Volunteer>(`/volunteers/${id}`),
  decide: (id: number, decision: 'approve' | 'reject', note = '') =>
    http.post<Volunteer>(`/volunteers/${id}/decision`, { decision, note }),
  passbook: (id: number) => http.get<Passbook>(`/volunteers/${id}/passbook`),
  certificate: (id: number) => http.post<Certificate>(`/volunteers/${id}/certificates`),
  verifyCertificate: (number: string) => http.get<Certificate>(`/volunteer-certificates/${encodeURIComponent(number)}`),
}

export const volunteerTeams = {
  list: () => http.get<{ items: VolunteerTeam[] }>('/volunteer-teams'),
  get: (id: number) => http.get<VolunteerTeam & { members: TeamMember[] }>(`/volunteer-teams/${id}`),
  create: (body: { name: string; kind: VolunteerTeam['kind']; area_id: number; description?: string }) =>
    http.post<VolunteerTeam>('/volunteer-teams', body),
  putMember: (team: number, volunteer: number, role: 'member' | 'leader' = 'member') =>
    http.put<void>(`/volunteer-teams/${team}/members/${volunteer}`, { role }),
  removeMember: (team: number, volunteer: number) => http.del(`/volunteer-teams/${team}/members/${volunteer}`),
}

export const volunteerActivities = {
  list: (q: { status?: ActivityStatus | ''; area?: number | null; team?: number | null; from?: number; to?: number }, cursor?: string | null, limit = 20) =>
    http.get<Page<VolunteerActivity>>('/volunteer-activities', { ...q, cursor, limit }),
  get: (id: number) => http.get<VolunteerActivity>(activityPath(id)),
  create: (body: ActivityInput) => http.post<VolunteerActivity>('/volunteer-activities', body),
  act: (id: number, action: 'publish' | 'cancel', reason = '') =>
    http.post<VolunteerActivity>(activityPath(id, '/actions'), { action, reason }),
  signUp: (id: number) => http.post<Signup>(activityPath(id, '/signup')),
  cancelSignup: (id: number) => http.del<Signup>(activityPath(id, '/signup')),
  signups: (id: number) => http.get<{ items: Signup[] }>(activityPath(id, '/signups')),
  qr: (id: number) => http.get<QrToken>(activityPath(id, '/qr')),
  scan: (id: number, body: { token: string; lat?: number; lng?: number }) =>
    http.post<Attendance & { direction: 'in' | 'out' }>(activityPath(id, '/scan'), body),
  attendance: (id: number) => http.get<{ items: Attendance[] }>(activityPath(id, '/attendance')),
  manual: (id: number, body: { volunteer_id: number; action: 'check_in' | 'check_out'; at?: number }) =>
    http.post<Attendance>(activityPath(id, '/attendance'), body),
  verify: (attendance: number, body: { decision: 'approve' | 'adjust' | 'reject'; minutes?: number; reason?: string }) =>
    http.post<Attendance>(`/volunteer-attendance/${attendance}/verify`, body),
}

/** Late records (补录): a volunteer asks, an organizer approves (a verified record) or rejects. */
export const volunteerBackfills = {
  /** A manager sees those of their area, a volunteer their own. */
  list: (status?: Backfill['status'] | '') => http.get<{ items: Backfill[] }>('/volunteer-backfills', { status }),
  request: (body: { activity_id: number; check_in_at: number; check_out_at: number; reason: string; volunteer_id?: number }) =>
    http.post<Backfill>('/volunteer-backfills', body),
  decide: (id: number, decision: 'approve' | 'reject', note = '') =>
    http.post<Backfill>(`/volunteer-backfills/${id}/decision`, { decision, note }),
}

export const volunteerGifts = {
  list: () => http.get<{ items: Gift[] }>('/volunteer-gifts'),
  create: (body: { area_id: number; name: string; description?: string; points_price: number; stock: number }) =>
    http.post<Gift>('/volunteer-gifts', body),
  update: (id: number, body: { name?: string; description?: string; points_price?: number; stock?: number; active?: boolean }) =>
    http.patch<Gift>(`/volunteer-gifts/${id}`, body),
  redeem: (id: number, quantity = 1) => http.post<Redemption>(`/volunteer-gifts/${id}/redeem`, { quantity }),
  redemptions: (status?: Redemption['status'] | '') => http.get<{ items: Redemption[] }>('/volunteer-redemptions', { status }),
  handOver: (id: number, pickup_code: string) =>
    http.post<Redemption>(`/volunteer-redemptions/${id}/hand-over`, { pickup_code }),
  cancel: (id: number) => http.post<Redemption>(`/volunteer-redemptions/${id}/cancel`),
}

export const volunteerRankings = {
  get: (q: { area?: number | null; period: Ranking['period']; by: Ranking['by']; date?: string }) =>
    http.get<Ranking>('/volunteer-rankings', q),
  settings: () => http.get<VolunteerSettings>('/volunteer-settings'),
}

/** The page a check-in QR code opens on the volunteer's phone (the token names the activity). */
export function checkinUrl(token: string): string {
  return `${window.location.origin}/m/volunteer/checkin?t=${encodeURIComponent(token)}`
}
