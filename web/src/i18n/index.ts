import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'

export type Locale = 'zh-CN' | 'en'
const KEY = 'cg.locale'

function initialLocale(): Locale {
  const saved = localStorage.getItem(KEY)
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

const listeners: ((l: Locale) => void)[] = []

/** Lets each UI kit (Element Plus, Vant) follow the language without this module importing them. */
export function onLocaleChange(fn: (l: Locale) => void): void {
  listeners.push(fn)
  fn(currentLocale())
}

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  localStorage.setItem(KEY, l)
  document.documentElement.lang = l
  document.title = i18n.global.t('app.name')
  listeners.forEach((fn) => fn(l))
}

document.documentElement.lang = currentLocale()
