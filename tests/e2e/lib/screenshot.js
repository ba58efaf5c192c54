import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kindOf } from './browser.js'

export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

/** Saves tests/e2e/screenshots/NAME-desktop.png or NAME-mobile.png and returns the path. */
export async function shot(page, name, { fullPage = false } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}-${kindOf(page)}.png`)
  await page.screenshot({ path, fullPage })
  return path
}
