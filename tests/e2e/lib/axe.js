// Runs axe-core inside the page. The source is evaluated over the DevTools protocol rather than
// injected as a <script>, so the app keeps its strict CSP while it is being checked.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

/**
 * @param {import('playwright-core').Page} page
 * @returns {Promise<Array<{id:string, impact:string, help:string, nodes:string[]}>>} serious and critical violations
 */
export async function seriousViolations(page, { exclude = [] } = {}) {
  // An element caught mid-transition (a toast fading in, a tag zooming in) has its opacity part
  // way and fails the contrast check for what is only a moment: let transitions finish first.
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, { timeout: 3000 })
    .catch(() => {})
  await page.evaluate(AXE_SOURCE)
  const result = await page.evaluate(
    async ({ exclude }) => {
      const ctx = exclude.length ? { include: [['html']], exclude: exclude.map((s) => [s]) } : document
      const r = await window.axe.run(ctx, { resultTypes: ['violations'] })
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }))
    },
    { exclude },
  )
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

export function formatViolations(list) {
  return list.map((v) => `[${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n')
}
