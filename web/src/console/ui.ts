// Console-side feedback helpers (Element Plus). Mobile pages have their own in mobile/ui.ts.
// The message box (with its buttons, input and overlay) is fetched only when a confirmation is
// asked for; every page that shows an error (the sign-in page first) pulls this module.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { ApiError } from '@/api'
import { i18n } from '@/i18n'

const t = (k: string, a?: Record<string, unknown>) => (a ? i18n.global.t(k, a) : i18n.global.t(k))

export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('common.networkError')
    if (e.isNotFoundOrForbidden && !e.detail) return t('common.notFound')
    return e.detail ? `${e.title}：${e.detail}` : e.title
  }
  return e instanceof Error ? e.message : t('common.operationFailed')
}

export function showError(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) return // the client already sends the user to sign in
  ElMessage({ type: 'error', message: describeError(e), grouping: true })
}

export function showOk(message: string): void {
  ElMessage({ type: 'success', message, grouping: true })
}

export async function confirmDelete(name: string): Promise<boolean> {
  const [{ ElMessageBox }] = await Promise.all([
    import('element-plus/es/components/message-box/index.mjs'),
    import('element-plus/es/components/message-box/style/css'),
  ])
  try {
    await ElMessageBox.confirm(t('common.deleteConfirm', { name }), t('common.tip'), {
      type: 'warning',
      confirmButtonText: t('common.delete'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
    })
    return true
  } catch {
    return false
  }
}

/** Server field errors for a form, cleared before each submit. */
export function fieldErrorsOf(e: unknown): Record<string, string> | null {
  return e instanceof ApiError && Object.keys(e.fieldErrors).length ? { ...e.fieldErrors } : null
}
