// The signed-in user's notices, live: one EventSource per session (opened when someone signs
// in, closed when they sign out), the unread count, the latest notices (each id once) and
// listeners, so the layouts can toast a new notice and a page can reload when one is about
// the subject it shows.
import { getCurrentScope, onScopeDispose, reactive, watch } from 'vue'
import { notifications as api, type Notice } from '@/api'
import { session } from './session'

/** How many notices the bell and the list keep in memory. */
const KEEP = 50
/** After the server refused or dropped the stream for good (EventSource gave up), try again. */
const REOPEN_MS = 15_000

type Listener = (n: Notice) => void

const state = reactive({
  unread: 0,
  items: [] as Notice[],
  /** The next page of older notices (null: no more). */
  nextBefore: null as number | null,
  loaded: false,
  live: false,
})

const listeners = new Set<Listener>()
let source: EventSource | null = null
let reopenTimer: ReturnType<typeof setTimeout> | undefined
/** Bumped on every sign-in and sign-out, so a late answer for an old session is dropped. */
let generation = 0

const newestId = () => state.items.reduce((m, n) => Math.max(m, n.id), 0)

/** Adds a notice unless it is already known; answers whether it was new. */
function remember(n: Notice): boolean {
  if (state.items.some((x) => x.id === n.id)) return false
  state.items = [n, ...state.items].sort((a, b) => b.id - a.id).slice(0, KEEP)
  return true
}

function onNotification(e: MessageEvent) {
  let n: Notice
  try {
    n = JSON.parse(e.data)
  } catch {
    return
  }
  if (!remember(n)) return
  if (!n.read_at) state.unread++
  for (const fn of [...listeners]) fn(n)
}

function onUnread(e: MessageEvent) {
  try {
    state.unread = Number(JSON.parse(e.data).unread_count) || 0
  } catch {
    /* a malformed frame changes nothing */
  }
}

function close() {
  clearTimeout(reopenTimer)
  source?.close()
  source = null
  state.live = false
}

function open(gen: number) {
  close()
  if (gen !== generation) return
  // "after" replays what arrived between the list fetch and this connection; on a later
  // reconnect the browser sends Last-Event-ID itself.
  const after = newestId()
  const es = new EventSource(after ? `${api.streamUrl}?after=${after}` : api.streamUrl)
  es.addEventListener('open', () => (state.live = true))
  es.addEventListener('unread', onUnread as EventListener)
  es.addEventListener('notification', onNotification as EventListener)
  es.addEventListener('error', () => {
    state.live = false
    // CONNECTING means the browser retries by itself; CLOSED means it gave up (an HTTP error).
    if (es.readyState === EventSource.CLOSED && gen === generation) {
      reopenTimer = setTimeout(() => gen === generation && open(gen), REOPEN_MS)
    }
  })
  source = es
}

async function begin(gen: number) {
  try {
    const page = await api.list({ limit: 20 })
    if (gen !== generation) return
    for (const n of page.items) remember(n)
    state.unread = page.unread_count
    state.nextBefore = page.next_before
  } catch {
    if (gen !== generation) return // the stream below still brings the count
  }
  state.loaded = true
  open(gen)
}

function reset() {
  close()
  Object.assign(state, { unread: 0, items: [], nextBefore: null, loaded: false, live: false })
}

let following = false

export const notificationStore = {
  state,
  /** Follows the session from now on: a stream while someone is signed in, none otherwise. */
  follow(): void {
    if (following) return
    following = true
    watch(
      () => session.state.me?.id ?? null,
      (id) => {
        generation++
        reset()
        if (id) void begin(generation)
      },
      { immediate: true },
    )
  },
  /** Calls fn for every new notice until the returned function is called. */
  listen(fn: Listener): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  },
  /** Loads the next page of older notices into the list. */
  async more(): Promise<void> {
    if (state.nextBefore === null) return
    const gen = generation
    const page = await api.list({ before: state.nextBefore, limit: 20 })
    if (gen !== generation) return
    state.items = [...state.items, ...page.items.filter((n) => !state.items.some((x) => x.id === n.id))]
    state.nextBefore = page.next_before
    state.unread = page.unread_count
  },
  async markRead(which: number[] | 'all'): Promise<void> {
    if (which !== 'all' && !which.length) return
    const { unread_count } = await api.read(which)
    const now = Date.now()
    state.items = state.items.map((n) => (!n.read_at && (which === 'all' || which.includes(n.id)) ? { ...n, read_at: now } : n))
    state.unread = unread_count
  },
}

/**
 * Calls fn for each new notice while the calling component (or effect scope) lives;
 * with a subject, only for notices about that case (a getter follows route changes).
 */
export function useNotices(fn: Listener, subject?: () => number | null | undefined): void {
  const stop = notificationStore.listen((n) => {
    if (subject && (n.subject_type !== 'case' || !n.subject_id || n.subject_id !== subject())) return
    fn(n)
  })
  if (getCurrentScope()) onScopeDispose(stop)
}

/** The kind's i18n key, e.g. case.dispatched → notice.kind.case_dispatched. */
export const noticeKindKey = (kind: string) => `notice.kind.${kind.replace(/\./g, '_')}`
/** The page a notice opens, for the console or the phone. */
export function noticeLink(n: Notice, side: 'console' | 'mobile'): string | null {
  if (!n.subject_id) return null
  if (n.subject_type === 'case') return side === 'console' ? `/console/cases/${n.subject_id}` : `/m/cases/${n.subject_id}`
  // What a volunteer is told concerns their own volunteering, which lives on the phone.
  if (side === 'console') return null
  if (n.subject_type === 'volunteer_activity') return `/m/volunteer/activities/${n.subject_id}`
  if (n.subject_type === 'volunteer') return '/m/volunteer'
  return null
}
