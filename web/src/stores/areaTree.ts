// The org tree that scopes the console pages: loaded once, the chosen node is shared
// by Home, Residents and Org so switching pages keeps the user's place.
import { reactive } from 'vue'
import { areas, type AreaNode } from '@/api'

const KEY = 'cg.area'

const state = reactive({
  roots: [] as AreaNode[],
  selected: null as AreaNode | null,
  loading: false,
  version: 0,
})

function find(nodes: AreaNode[], id: number): AreaNode | null {
  for (const n of nodes) {
    if (n.id === id) return n
    const hit = n.children ? find(n.children, id) : null
    if (hit) return hit
  }
  return null
}

let pending: Promise<void> | null = null

export const areaTree = {
  state,
  /** Loads the tree (one request at a time: a second caller shares the first one's). */
  load(preferred?: number): Promise<void> {
    pending ??= this.fetch(preferred).finally(() => (pending = null))
    return pending
  },
  async fetch(preferred?: number): Promise<void> {
    state.loading = true
    try {
      const { roots: nodes } = await areas.tree(undefined, 3)
      state.roots = nodes
      const saved = Number(preferred ?? sessionStorage.getItem(KEY))
      const keep = state.selected ? find(nodes, state.selected.id) : saved ? find(nodes, saved) : null
      state.selected = keep ?? nodes[0] ?? null
      state.version++
    } finally {
      state.loading = false
    }
  },
  /** Fetches children of a node deeper than the first load reached. */
  async children(node: AreaNode): Promise<AreaNode[]> {
    if (node.children && node.children.length) return node.children
    if (node.level === 'grid') return []
    const { roots: nodes } = await areas.tree(node.id, 1)
    const kids = nodes[0]?.children ?? []
    node.children = kids
    return kids
  },
  select(node: AreaNode | null): void {
    state.selected = node
    if (node) sessionStorage.setItem(KEY, String(node.id))
  },
  find(id: number): AreaNode | null {
    return find(state.roots, id)
  },
  /** The chosen node and its loaded ancestors, root first (the breadcrumb above each page). */
  trail(): AreaNode[] {
    const out: AreaNode[] = []
    for (let n = state.selected; n; n = n.parent_id ? find(state.roots, n.parent_id) : null) out.unshift(n)
    return out
  },
  /** Chooses the node with this id if the loaded tree has it (a link carrying ?area=). */
  selectId(id: number): boolean {
    const n = find(state.roots, id)
    if (n) this.select(n)
    return !!n
  },
  /** Every community in the loaded tree, for pickers such as the import dialog. */
  communities(): AreaNode[] {
    const out: AreaNode[] = []
    const walk = (ns: AreaNode[]) =>
      ns.forEach((n) => (n.level === 'community' ? out.push(n) : n.children && walk(n.children)))
    walk(state.roots)
    return out
  },
  /** The community a node belongs to (itself, or its parent when it is a grid). */
  communityOf(node: AreaNode | null): AreaNode | null {
    if (!node) return null
    if (node.level === 'community') return node
    if (node.level === 'grid' && node.parent_id) return find(state.roots, node.parent_id)
    return null
  },
  clear(): void {
    state.roots = []
    state.selected = null
    sessionStorage.removeItem(KEY)
  },
}
