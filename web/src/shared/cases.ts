// Small pure helpers for 民情工单 shared by the console and the phone pages.
import type { Case, CaseCategory, CaseDeadline, CaseStatus } from '@/api'

export const CASE_STATUSES: CaseStatus[] = [
  'reported', 'accepted', 'dispatched', 'in_progress', 'handled', 'verified', 'closed', 'reopened', 'rejected', 'merged',
]

/** Element Plus tag type per status. */
export function statusTagType(s: CaseStatus): 'primary' | 'success' | 'info' | 'warning' | 'danger' {
  switch (s) {
    case 'reported':
    case 'reopened':
      return 'danger'
    case 'accepted':
    case 'dispatched':
    case 'in_progress':
      return 'warning'
    case 'handled':
    case 'verified':
      return 'primary'
    case 'closed':
      return 'success'
    default:
      return 'info'
  }
}

const MIN_PER_DAY = 450

type T = (k: string, a?: Record<string, unknown>) => string

/** Working minutes as "2 个工作日 3 小时" / "3 小时 20 分" / "45 分钟". */
export function workingSpan(minutes: number, t: T): string {
  const m = Math.abs(Math.round(minutes))
  if (m >= MIN_PER_DAY) return t('cases.workdays', { d: Math.floor(m / MIN_PER_DAY), h: Math.floor((m % MIN_PER_DAY) / 60) })
  if (m >= 60) return t('cases.hm', { h: Math.floor(m / 60), m: m % 60 })
  return t('cases.minutes', { n: m })
}

/** Wall-clock span (for list rows, where the server gives only the deadline). */
export function clockSpan(ms: number, t: T): string {
  const m = Math.abs(Math.round(ms / 60000))
  if (m >= 1440) return t('cases.daysH', { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) })
  if (m >= 60) return t('cases.hm', { h: Math.floor(m / 60), m: m % 60 })
  return t('cases.minutes', { n: m })
}

export interface RowDeadline {
  at: number
  warning: CaseDeadline['warning']
  text: string
}

/** The running deadline of a list row: accepting while reported/reopened, handling while
 *  accepted/dispatched/in progress; coloured yellow at ≥80 % of the time used, red when passed. */
export function rowDeadline(c: Case, t: T, now = Date.now()): RowDeadline | null {
  let at: number | null = null
  if (c.status === 'reported' || c.status === 'reopened') at = c.accept_deadline
  else if (c.status === 'accepted' || c.status === 'dispatched' || c.status === 'in_progress') at = c.handle_deadline
  if (!at) return null
  const left = at - now
  if (left < 0) return { at, warning: 'red', text: t('cases.overdueBy', { t: clockSpan(left, t) }) }
  const total = at - c.created_at
  const used = total > 0 ? (now - c.created_at) / total : 0
  return { at, warning: used >= 0.8 ? 'yellow' : 'none', text: t('cases.remaining', { t: clockSpan(left, t) }) }
}

export function detailDeadlineText(d: CaseDeadline, t: T): string {
  if (d.kind === 'none' || d.remaining_working_minutes === null) return ''
  const span = workingSpan(d.remaining_working_minutes, t)
  return d.remaining_working_minutes < 0 ? t('cases.overdueBy', { t: span }) : t('cases.remaining', { t: span })
}

/** Category options for el-cascader / van-cascader. */
export function categoryOptions(items: CaseCategory[]) {
  return items.map((c) => ({
    value: c.id,
    label: c.name,
    text: c.name,
    children: c.children.map((x) => ({ value: x.id, label: x.name, text: x.name })),
  }))
}

/** One UUID per form, kept across retries so the server never files the same report twice. */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID()
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`
}
