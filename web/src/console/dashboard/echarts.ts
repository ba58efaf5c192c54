// ECharts, imported piece by piece: only the chart types and components the dashboard draws
// end up in its lazily loaded chunk (the full build would be ~1 MB).
import { ref } from 'vue'
import { use, init, type ComposeOption } from 'echarts/core'
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts'
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

use([BarChart, LineChart, PieChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer])

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
> & { aria?: { enabled: boolean; label?: { description?: string } } }

export { init }

/** Bumped (at most every 200 ms) whenever web fonts finish loading; see EChart.vue. */
export const fontGeneration = ref(0)
let pending: ReturnType<typeof setTimeout> | undefined
document.fonts?.addEventListener('loadingdone', () => {
  clearTimeout(pending)
  pending = setTimeout(() => fontGeneration.value++, 200)
})

/** Colours of the console theme, shared by every chart. */
export const PALETTE = ['#1b4fa0', '#0f7a5c', '#c77700', '#b3261e', '#6b4fa0', '#2a8fb8', '#7a8a1b', '#a0527a']
