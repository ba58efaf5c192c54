// Messages: Chinese is bundled with the entry (the default for everyone); English is a lazy
// chunk fetched only when someone chooses it (or chose it before: main.ts waits for it then).
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'

export type Locale = 'zh-CN' | 'en'
const KEY = 'cg.locale'

export function savedLocale(): Locale {
  const saved = localStorage.getItem(KEY)
  return saved === 'en' || saved === 'zh-CN' ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  // Typed with both locales so English can be added later under the same schema.
  messages: { 'zh-CN': zhCN } as Record<Locale, typeof zhCN>,
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

async function ensureMessages(l: Locale): Promise<void> {
  if (l === 'en' && !i18n.global.availableLocales.includes('en')) {
    i18n.global.setLocaleMessage('en', (await import('./en')).default)
  }
}

/** Switches the language (fetching its messages first) and remembers the choice. */
export async function setLocale(l: Locale): Promise<void> {
  await ensureMessages(l)
  i18n.global.locale.value = l
  localStorage.setItem(KEY, l)
  document.documentElement.lang = l
  document.title = i18n.global.t('app.name')
  listeners.forEach((fn) => fn(l))
}

/** Before the first render: the saved language, without a flash of Chinese for English users. */
export async function restoreLocale(): Promise<void> {
  const l = savedLocale()
  if (l !== 'zh-CN') await setLocale(l).catch(() => undefined)
  document.documentElement.lang = currentLocale()
}
