// Per-route bundle sizes of the production build, from Vite's manifest:
//   npm run build && node scripts/bundle-report.mjs
// For each lazily loaded route component, the JS and CSS the browser fetches to show it on top
// of the entry (index.html's script and styles) and of its layout (a console page inside
// ConsoleLayout, a phone page inside MobileLayout), raw and gzip -9 (the server sends the
// precompressed .gz files). Together: what a first visit to that page downloads.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const dist = process.env.DIST ?? new URL('../dist/', import.meta.url).pathname
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'))
const size = (file) => {
  const buf = readFileSync(join(dist, file))
  return { raw: buf.length, gz: gzipSync(buf, { level: 9 }).length }
}

/** Every file a chunk needs before it runs: itself, its static imports, their CSS. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key]
  if (!chunk || seen.has(chunk.file)) return seen
  seen.add(chunk.file)
  for (const css of chunk.css ?? []) seen.add(css)
  for (const imp of chunk.imports ?? []) closure(imp, seen)
  return seen
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry)
const entry = closure(entryKey)
const total = (files) =>
  [...files].reduce((s, f) => {
    const z = size(f)
    return { raw: s.raw + z.raw, gz: s.gz + z.gz }
  }, { raw: 0, gz: 0 })
const kb = (n) => (n / 1024).toFixed(1).padStart(7)

const layoutKey = (k) =>
  /LoginPage|Layout/.test(k) ? null : k.includes('/mobile/') ? 'src/mobile/MobileLayout.vue' : 'src/console/ConsoleLayout.vue'

console.log('route component                         raw KB   gzip KB   (beyond entry + layout)')
const e = total(entry)
console.log(`${'entry (index.html)'.padEnd(38)}${kb(e.raw)}  ${kb(e.gz)}`)
const routes = Object.keys(manifest)
  .filter((k) => manifest[k].isDynamicEntry && /src\/(console|mobile)\/.*Page\.vue$|Layout\.vue$|MobileHome\.vue$/.test(k))
  .sort()
for (const k of routes) {
  const layout = layoutKey(k) ? closure(layoutKey(k)) : new Set()
  const files = [...closure(k)].filter((f) => !entry.has(f) && !layout.has(f))
  const s = total(files)
  console.log(`${k.replace(/^src\//, '').padEnd(38)}${kb(s.raw)}  ${kb(s.gz)}`)
}
