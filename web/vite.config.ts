import { fileURLToPath, URL } from 'node:url'
import { mkdirSync, writeFileSync } from 'node:fs'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VantResolver } from '@vant/auto-import-resolver'

// Vant ships its icon font as a data: URL with a fallback on a CDN; the server's CSP
// (font-src falls back to default-src 'self') blocks both. Write the font out as a file so
// Vite emits it as a hashed asset served from our own origin.
function vantIconFontSelfHosted(): Plugin {
  const rel = 'node_modules/.cache/cg-vant-icon.woff2'
  return {
    name: 'cg-vant-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/vant[\\/]es[\\/]icon[\\/]index\.css$/.test(id.split('?')[0])) return
      const m = /url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)/.exec(code)
      if (!m) return
      const file = fileURLToPath(new URL(`./${rel}`, import.meta.url))
      mkdirSync(fileURLToPath(new URL('./node_modules/.cache/', import.meta.url)), { recursive: true })
      writeFileSync(file, Buffer.from(m[1], 'base64'))
      return code.replace(m[0], `url("/${rel}")`).replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("[a-z]+"\)/g, '')
    },
  }
}

// Element Plus and Vant components are imported on demand (with their CSS) by the
// resolvers, so each lazily loaded route only pulls the UI kit it uses: the console
// chunks never contain Vant and the mobile chunks never contain Element Plus.
export default defineConfig({
  plugins: [
    vantIconFontSelfHosted(),
    vue(),
    Components({
      dts: false,
      resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver()],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_JIT_COMPILATION__: 'true',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
  },
  build: {
    outDir: 'dist',
    // dist/.vite/manifest.json: the chunk graph scripts/bundle-report.mjs sizes routes from.
    manifest: true,
    assetsDir: 'assets',
    // exceljs (lazy, import dialog only) is large by nature.
    chunkSizeWarningLimit: 1200,
    // The strict CSP forbids inline scripts; keep the module preload polyfill out of index.html.
    modulePreload: { polyfill: false },
    // Fonts are never inlined as data: URLs: the CSP's font-src (default-src 'self') refuses them.
    assetsInlineLimit: (file: string) => (/\.(woff2?|ttf|otf|eot)$/i.test(file) ? false : undefined),
    rolldownOptions: {
      output: {
        // One chunk per UI kit, loaded only by the routes that use it: console routes pull
        // element-plus-*.js, mobile routes pull vant-*.js, and neither pulls the other.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/, priority: 30 },
            { name: 'vant', test: /node_modules[\\/](vant|@vant)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  preview: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
