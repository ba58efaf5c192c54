// 适老化: large text and high contrast for every mobile page, remembered on this device.
import { ref, watch } from 'vue'

const KEY = 'cg.elder'
export const elderMode = ref(localStorage.getItem(KEY) === '1')

watch(
  elderMode,
  (on) => {
    localStorage.setItem(KEY, on ? '1' : '0')
    document.documentElement.classList.toggle('cg-elder', on)
  },
  { immediate: true },
)
