// Helpers shared by the mobile and console volunteer pages.
import type { Volunteer } from '@/api'

/** "2026-05-03 09:00–11:00", or both full times when the activity spans days. */
export function timeRange(start: number, end: number): string {
  const p = (n: number) => String(n).padStart(2, '0')
  const day = (d: Date) => `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
  const hm = (d: Date) => `${p(d.getHours())}:${p(d.getMinutes())}`
  const s = new Date(start)
  const e = new Date(end)
  return day(s) === day(e) ? `${day(s)} ${hm(s)}–${hm(e)}` : `${day(s)} ${hm(s)} – ${day(e)} ${hm(e)}`
}

export function dateOnly(at: number): string {
  const d = new Date(at)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** Hours with at most one decimal: 2, 2.5. */
export const hoursText = (h: number) => String(Math.round(h * 10) / 10)

/** Hours still needed for the next star level, or null at the top. */
export function nextStar(v: Pick<Volunteer, 'verified_hours' | 'stars'>, starHours: number[]): { stars: number; hours: number } | null {
  const next = starHours[v.stars]
  if (next === undefined) return null
  return { stars: v.stars + 1, hours: Math.max(0, Math.ceil(next - v.verified_hours)) }
}

export const DEFAULT_STAR_HOURS = [100, 300, 600, 1000, 1500]
