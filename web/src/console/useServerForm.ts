// The submit cycle of a console form whose rules live on the server: clear old errors, send,
// and on a problem+json answer put each field's message beside its field (el-form-item :error)
// or, when the problem names no field, show it above the form.
import { ref } from 'vue'
import { describeError, fieldErrorsOf } from './ui'

export function useServerForm() {
  const errors = ref<Record<string, string>>({})
  const failure = ref('')
  const busy = ref(false)

  function reset() {
    errors.value = {}
    failure.value = ''
  }

  /** Runs send(); resolves true when it succeeded. */
  async function submit(send: () => Promise<unknown>): Promise<boolean> {
    reset()
    busy.value = true
    try {
      await send()
      return true
    } catch (e) {
      errors.value = fieldErrorsOf(e) ?? {}
      if (!Object.keys(errors.value).length) failure.value = describeError(e)
      return false
    } finally {
      busy.value = false
    }
  }

  return { errors, failure, busy, reset, submit }
}
