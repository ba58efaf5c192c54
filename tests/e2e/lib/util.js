// Small helpers shared by the specs: waiting for what the person sees, test data, the SMS log.
import { readFileSync, statSync } from 'node:fs'

/** Polls fn until it returns a truthy value (which is returned) or throws after timeout ms. */
export async function until(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}${last ? `: ${last.message}` : ''}`)
    await new Promise((r) => setTimeout(r, interval))
  }
}

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
/** GB 11643 check character for the first 17 digits. */
export function checkChar(body17) {
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * W[i], 0)
  return '10X98765432'[sum % 11]
}

/**
 * A valid 18-character ID number for a made-up person: Nantong Chongchuan (320602), a birth date
 * in 1950–1999 and a random sequence, so repeated runs do not collide.
 * @returns {{ id: string, gender: 'male'|'female', birth: string }}
 */
export function makeIdNumber({ gender } = {}) {
  const y = 1950 + Math.floor(Math.random() * 50)
  const m = 1 + Math.floor(Math.random() * 12)
  const d = 1 + Math.floor(Math.random() * 28)
  let seq = Math.floor(Math.random() * 1000)
  const wantOdd = gender ? gender === 'male' : Math.random() < 0.5
  if (seq % 2 !== (wantOdd ? 1 : 0)) seq = (seq + 1) % 1000
  const p = (n, w) => String(n).padStart(w, '0')
  const birth = `${y}-${p(m, 2)}-${p(d, 2)}`
  const body = `320602${y}${p(m, 2)}${p(d, 2)}${p(seq, 3)}`
  return { id: body + checkChar(body), gender: seq % 2 ? 'male' : 'female', birth }
}

/** The masked form the server shows: first 6, eight stars, last 4. */
export const maskId = (id) => `${id.slice(0, 6)}********${id.slice(-4)}`

// Uncommon characters, so a generated name's first two characters find few other residents.
const RARE = '禤遆亓蒯邝厍甪阚琚璩砻缑靳荀隗郄郗殳蔺'
/** A three-character name whose first two characters are unlikely to occur in the demo data. */
export function rareName() {
  const pick = () => RARE[Math.floor(Math.random() * RARE.length)]
  let a = pick()
  let b = pick()
  while (b === a) b = pick()
  return `${a}${b}${'明华芳军'[Math.floor(Math.random() * 4)]}`
}

export const SERVER_LOG = process.env.CIVICGRID_SERVER_LOG ?? ''

/** Current size of the server log, to read only what is written after it. */
export function logSize() {
  if (!SERVER_LOG) throw new Error('set CIVICGRID_SERVER_LOG to the server log file (SMS codes are written there)')
  return statSync(SERVER_LOG).size
}

/** The 6-digit SMS code for phone written to the server log after byte offset `from`. */
export function smsCodeAfter(phone, from) {
  const text = readFileSync(SERVER_LOG).subarray(from).toString('utf8')
  const lines = text.split('\n').filter((l) => l.includes(phone))
  for (const line of lines.reverse()) {
    const m = /(?<!\d)(\d{6})(?!\d)/.exec(line.slice(line.indexOf(phone) + phone.length))
    if (m) return m[1]
  }
  return null
}

/**
 * Milliseconds to wait before the server sends phone another code (it allows one a minute):
 * the last send is read from the log's timestamp.
 */
export function smsCooldown(phone) {
  if (!SERVER_LOG) return 0
  const lines = readFileSync(SERVER_LOG, 'utf8').split('\n').filter((l) => l.includes(phone) && /\d{6}/.test(l))
  const last = lines.at(-1)
  const m = last && /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)/.exec(last)
  if (!m) return 0
  const sentAt = new Date(`${m[1]}T${m[2]}`).getTime() // the server logs local time
  return Math.max(0, sentAt + 61_000 - Date.now())
}
