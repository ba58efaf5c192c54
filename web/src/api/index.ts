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
  create: (body: { grid_id: number; name: string; address?: string }) => http.post<Building>('/buildings', body),
  update: (id: number, body: { name?: string; address?: string }) => http.patch<Building>(`/buildings/${id}`, body),
  remove: (id: number) => http.del(`/buildings/${id}`),
}

export const households = {
  list: (building: number, cursor?: string | null, limit = 200) =>
    http.get<Page<Household>>('/households', { building, cursor, limit }),
  get: (id: number) => http.get<HouseholdDetail>(`/households/${id}`),
  create: (body: { building_id: number; unit: string; floor: string; room: string }) =>
    http.post<Household>('/households', body),
  update: (id: number, body: { unit?: string; floor?: string; room?: string }) =>
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
