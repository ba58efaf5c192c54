// The signed-in user, loaded once from /me and shared by every page.
import { computed, reactive } from 'vue'
import { auth, type Me, type RoleName } from '@/api'

const state = reactive({ me: null as Me | null, loaded: false })
let pending: Promise<Me | null> | null = null

export const session = {
  state,
  me: computed(() => state.me),
  /** Loads /me once; resolves to null when nobody is signed in. */
  load(force = false): Promise<Me | null> {
    if (state.loaded && !force) return Promise.resolve(state.me)
    if (!pending) {
      pending = auth
        .me()
        .then((me) => (state.me = me))
        .catch(() => (state.me = null))
        .finally(() => {
          state.loaded = true
          pending = null
        })
    }
    return pending
  },
  set(me: Me): void {
    state.me = me
    state.loaded = true
  },
  clear(): void {
    state.me = null
    state.loaded = true
  },
  can(permission: string): boolean {
    return !!state.me?.permissions.includes(permission)
  },
  /** Categories and the working calendar are kept by platform admins only (the server says so). */
  hasRole(role: RoleName): boolean {
    return !!state.me?.roles.some((r) => r.role === role)
  },
  async logout(): Promise<void> {
    try {
      await auth.logout()
    } finally {
      this.clear()
    }
  },
}

/** The first grid the user works in (grid workers have exactly one). A resident's grant on
 *  their home grid is not a place of work: residents have no grid page. */
export function myGrid(me: Me | null) {
  if (!me || me.kind !== 'staff') return null
  return me.roles.find((r) => r.role !== 'resident' && r.area?.level === 'grid')?.area ?? null
}
