// Keyset pagination ("load more") shared by the console lists and the mobile feeds: the server
// hands back next_cursor, the page keeps appending until there is none. Each request gets a
// number and an answer to an older one (the unfiltered first page arriving after a search
// started) is dropped instead of overwriting newer results.
import { ref, type Ref } from 'vue'
import type { Page } from '@/api'

export function usePager<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>, onError: (e: unknown) => void) {
  const rows = ref([]) as Ref<T[]>
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  /** No further page (van-list's "finished"). */
  const finished = ref(false)
  /** The last request failed (van-list's "error", which offers a retry). */
  const failed = ref(false)
  let seq = 0

  async function load(reset: boolean): Promise<void> {
    const mine = ++seq
    loading.value = true
    failed.value = false
    if (reset) finished.value = false
    try {
      const page = await fetchPage(reset ? null : cursor.value)
      if (mine !== seq) return
      rows.value = reset ? page.items : [...rows.value, ...page.items]
      cursor.value = page.next_cursor ?? null
      finished.value = !cursor.value
    } catch (e) {
      if (mine !== seq) return
      failed.value = true
      onError(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  return {
    rows,
    cursor,
    loading,
    finished,
    failed,
    /** Starts over from the first page (a new search or scope). */
    reload: () => load(true),
    /** Appends the next page; the first call loads the first page. */
    more: () => load(false),
  }
}
