import { createApp } from 'vue'
import App from './App.vue'
import { router, loginPathFor } from './router'
import { i18n, restoreLocale } from './i18n'
import { setUnauthorizedHandler } from './api'
import { session } from './stores/session'
import { notificationStore } from './stores/notifications'
import './styles/base.css'

setUnauthorizedHandler(() => {
  session.clear()
  const current = router.currentRoute.value
  const login = loginPathFor(current)
  if (current.path !== login) router.replace({ path: login, query: { redirect: current.fullPath } })
})

const app = createApp(App).use(i18n).use(router)
// Chinese needs nothing fetched, so for most users this mounts at once.
void restoreLocale().then(() => app.mount('#app'))
// The live notices stream opens once someone is signed in and closes when they sign out.
notificationStore.follow()

// Bundled CJK font: split by unicode-range, fetched from our own origin only for characters
// that no installed font covers (the CSP allows no other source of fonts). Phones and desktops
// in China all have a CJK font, so its ~100 @font-face rules are not worth delaying the first
// page for: on a machine without one, the slices it fetches and the re-layout when they arrive
// (font-display: swap) used to land while the first page was still rendering. They are added
// once the page has loaded and the first route is on screen and the browser is idle.
const loadFont = () => void import('@fontsource/noto-sans-sc/400.css')
const whenIdle = (fn: () => void) =>
  'requestIdleCallback' in window ? window.requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 300)
const afterFirstPage = () => void router.isReady().then(() => setTimeout(() => whenIdle(loadFont), 500))
if (document.readyState === 'complete') afterFirstPage()
else window.addEventListener('load', afterFirstPage, { once: true })
