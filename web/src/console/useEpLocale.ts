import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import en from 'element-plus/es/locale/lang/en'

/** Element Plus's own texts (pagination, date picker, empty state) follow the app language. */
export function useEpLocale() {
  const { locale } = useI18n()
  return computed(() => (locale.value === 'en' ? en : zhCn))
}
