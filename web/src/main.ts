import { createApp } from 'vue'
import App from './App.vue'
import { router, loginPathFor } from './router'
import { i18n } from './i18n'
import { setUnauthorizedHandler } from './api'
import { session } from './stores/session'
// Bundled CJK font: split by unicode-range, fetched from our own origin only for characters
// that no installed font covers (the CSP allows no other source of fonts).
import '@fontsource/noto-sans-sc/400.css'
import './styles/base.css'

setUnauthorizedHandler(() => {
  session.clear()
  const current = router.currentRoute.value
  const login = loginPathFor(current)
  if (current.path !== login) router.replace({ path: login, query: { redirect: current.fullPath } })
})

createApp(App).use(i18n).use(router).mount('#app')
