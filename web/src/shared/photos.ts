// Photos picked on a form: uploaded as soon as they are chosen (so submitting stays quick), shown
// from a local preview, and handed to the case API as file ids. Shared by the console and phone.
import { reactive } from 'vue'
import { files } from '@/api'

export interface PickedPhoto {
  key: number
  preview: string
  id: string | null
  error: string
}

let nextKey = 1

export function usePhotoPicks(max: number) {
  const picks = reactive<PickedPhoto[]>([])

  async function add(file: File): Promise<PickedPhoto | null> {
    if (picks.length >= max) return null
    const pick = reactive<PickedPhoto>({ key: nextKey++, preview: URL.createObjectURL(file), id: null, error: '' })
    picks.push(pick)
    try {
      pick.id = (await files.upload(file)).id
    } catch (e) {
      pick.error = e instanceof Error ? e.message : String(e)
    }
    return pick
  }

  function remove(key: number) {
    const i = picks.findIndex((p) => p.key === key)
    if (i < 0) return
    URL.revokeObjectURL(picks[i].preview)
    picks.splice(i, 1)
  }

  function clear() {
    while (picks.length) remove(picks[0].key)
  }

  const ids = () => picks.filter((p) => p.id).map((p) => p.id as string)
  const busy = () => picks.some((p) => !p.id && !p.error)
  return { picks, add, remove, clear, ids, busy }
}
