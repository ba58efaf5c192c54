// Mobile-side feedback helpers (Vant). Function-style components need their CSS imported by hand.
import { showFailToast, showSuccessToast, showToast, Locale } from 'vant'
import 'vant/es/toast/style'
import enUS from 'vant/es/locale/lang/en-US'
import zhCN from 'vant/es/locale/lang/zh-CN'
import { ApiError } from '@/api'
import { i18n, onLocaleChange } from '@/i18n'

onLocaleChange((l) => (l === 'en' ? Locale.use('en-US', enUS) : Locale.use('zh-CN', zhCN)))

export function describeError(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    if (e.status === 0) return t('common.networkError')
    if (e.isNotFoundOrForbidden) return t('common.notFound')
    return e.detail ? `${e.title}：${e.detail}` : e.title
  }
  return e instanceof Error ? e.message : t('common.operationFailed')
}

export function toastError(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) return
  showFailToast({ message: describeError(e), wordBreak: 'break-word' })
}
export const toastOk = (message: string) => showSuccessToast(message)
export const toast = (message: string) => showToast(message)
