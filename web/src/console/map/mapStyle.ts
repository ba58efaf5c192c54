// How the map colours grids and tells running cases from finished ones.
import type { CaseStatus } from '@/api'

export const TILE_KEY = 'cg.mapTiles'

/** Buckets of running cases per grid, light to dark. */
export const LEGEND = [
  { min: 0, label: '0', colour: '#eaf4ea' },
  { min: 1, label: '1–5', colour: '#fbe9b7' },
  { min: 6, label: '6–15', colour: '#f6c177' },
  { min: 16, label: '16–30', colour: '#ec8a4f' },
  { min: 31, label: '> 30', colour: '#cf4a32' },
] as const

export function colourFor(open: number): string {
  let colour: string = LEGEND[0].colour
  for (const b of LEGEND) if (open >= b.min) colour = b.colour
  return colour
}

const FINISHED: CaseStatus[] = ['closed', 'rejected', 'merged']
export const isRunning = (s: CaseStatus) => !FINISHED.includes(s)
