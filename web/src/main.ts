import { createApp } from 'vue'
import App from './App.vue'
import { router, loginPathFor } from './router'
import { i18n } from './i18n'
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

createApp(App).use(i18n).use(router).mount('#app')
// The live notices stream opens once someone is signed in and closes when they sign out.
notificationStore.follow()

// Bundled CJK font: split by unicode-range, fetched from our own origin only for characters
// that no installed font covers (the CSP allows no other source of fonts). Phones and desktops
// in China all have a CJK font, so its ~100 @font-face rules are not worth blocking the first
// paint (or the load event) for: they are added once the page has loaded, and
// font-display: swap redraws any text that was waiting for a slice.
const loadFont = () => void import('@fontsource/noto-sans-sc/400.css')
if (document.readyState === 'complete') loadFont()
else window.addEventListener('load', loadFont, { once: true })
