/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

// Element Plus's per-component style entries (side-effect CSS imports) ship without types.
declare module 'element-plus/es/components/*/style/css'
