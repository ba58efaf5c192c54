// Shaping the /stats/cases answers for the dashboard: month ranges, number formats, the grid ranking.
import type { CaseIndicators, CaseStats } from '@/api'

export interface MonthRange {
  label: string // YYYY-MM
  from: number
  to: number
}

/**
 * The last `count` calendar months up to now, oldest first. The current month ends at the end of
 * today, not now: nothing is reported after now, and whole days are answered from the rollups
 * alone (a window ending mid-day makes the server read that day's cases).
 */
export function monthRanges(now: Date, count: number): MonthRange[] {
  const out: MonthRange[] = []
  const endOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime()
  for (let i = count - 1; i >= 0; i--) {
    const start = new Date(now.getFullYear(), now.getMonth() - i, 1)
    const next = new Date(start.getFullYear(), start.getMonth() + 1, 1)
    const label = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}`
    out.push({ label, from: start.getTime(), to: Math.min(next.getTime(), endOfToday) })
  }
  return out
}

export const percent = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)

export function hours(v: number | null, t: (k: string, a: Record<string, unknown>) => string): string {
  return v === null ? '—' : t('dash.hoursValue', { n: v.toFixed(1) })
}

export type RankedGrid = CaseIndicators & { id: number; name: string; level: string }

/** Best first: on-time closing, then satisfaction, then how many were closed. A grid with
 *  nothing closed has no rate and goes last rather than first. */
export function byPerformance(a: RankedGrid, b: RankedGrid): number {
  return (
    (b.on_time_rate ?? -1) - (a.on_time_rate ?? -1) ||
    (b.satisfaction_rate ?? -1) - (a.satisfaction_rate ?? -1) ||
    b.closed - a.closed
  )
}

/**
 * The grids below the chosen node, ranked. A community's children are its grids; a street's
 * are communities, so each is asked for its own grids; above a street the children themselves
 * are ranked (a district has too many grids for one table). A grid has nothing to rank.
 */
export async function rankGrids(stats: CaseStats, fetch: (areaId: number) => Promise<CaseStats>): Promise<RankedGrid[]> {
  const level = stats.area.level
  let rows: CaseStats['by_child'] = []
  if (level === 'community' || level === 'district' || level === 'city') rows = stats.by_child
  else if (level === 'street') {
    const communities = await Promise.all(stats.by_child.map((c) => fetch(c.area.id)))
    rows = communities.flatMap((c) => c.by_child)
  }
  return rows.map((r) => ({ ...r, id: r.area.id, name: r.area.name, level: r.area.level })).sort(byPerformance)
}
